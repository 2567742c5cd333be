/**
 * The Plaid sandbox as a Fastify plugin (register it with a prefix such as `/sandbox/plaid`):
 * Plaid's API paths with its key checks and error bodies, the Hosted Link page, control routes.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { SandboxOptions } from '../module.js'
import { registerApi } from './sandbox-api.js'
import { registerControl } from './sandbox-control.js'
import { isSandboxPlaidError, plaidFail, requestId } from './sandbox-errors.js'
import { checkClientKeys } from './sandbox-guards.js'
import { registerHostedLink } from './sandbox-hosted-link.js'
import { registerLinkApi } from './sandbox-link.js'
import { createSandboxState } from './sandbox-state.js'

export const plaidSandboxPlugin: FastifyPluginAsync<SandboxOptions> = async (app, opts) => {
  const state = createSandboxState(opts)

  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })
  }

  app.setErrorHandler(async (err, _req, reply) => {
    const failure = isSandboxPlaidError(err)
      ? err
      : String((err as { code?: unknown }).code ?? '').startsWith('FST_ERR_CTP') ? plaidFail('INVALID_BODY') : plaidFail('INTERNAL_SERVER_ERROR')
    return await reply.code(failure.plaid.status).headers(failure.plaid.headers).send(failure.plaid.body)
  })
  app.setNotFoundHandler(async (_req, reply) => await reply.code(404).send(plaidFail('NOT_FOUND').plaid.body))

  await app.register(async api => {
    api.addHook('preHandler', async req => { checkClientKeys(req) })
    api.addHook('preSerialization', async (_req, _reply, payload: unknown) => {
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || 'request_id' in payload) return payload
      return { ...payload, request_id: requestId() }
    })
    registerLinkApi(api, state)
    registerApi(api, state)
  })
  registerHostedLink(app, state)
  registerControl(app, state)
}
