/**
 * The Enable Banking sandbox as a Fastify plugin (register it with a prefix such as
 * `/sandbox/enablebanking`): the real API paths, JWT checks, error bodies and paging, plus a hosted
 * consent page and sandbox-only `/_control/*` routes. State lives in this plugin instance.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { SandboxOptions } from '../module.js'
import { registerAccountRoutes } from './sandbox-accounts.js'
import { registerConsentRoutes } from './sandbox-consent.js'
import { registerControlRoutes } from './sandbox-control.js'
import { sendError } from './sandbox-http.js'
import { createSandboxState } from './sandbox-state.js'

const FORM = 'application/x-www-form-urlencoded'

export const enableBankingSandbox: FastifyPluginAsync<SandboxOptions> = async (app, opts) => {
  const state = createSandboxState()
  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })
  }
  app.setErrorHandler((err: { statusCode?: number, message?: string }, _req, reply) => {
    const status = err.statusCode ?? 500
    if (status >= 400 && status < 500) return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', err.message ?? null)
    return sendError(reply, 500, 'ASPSP_ERROR', null)
  })
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ detail: 'Not Found' }))
  registerConsentRoutes(app, opts, state)
  registerAccountRoutes(app, opts, state)
  registerControlRoutes(app, opts, state)
}
