/**
 * The Salt Edge v6 sandbox as a Fastify plugin: mount it with a prefix (e.g. `/sandbox/saltedge`)
 * and use that URL as the adapter's base URL (the real one is `https://www.saltedge.com/api/v6`).
 * API routes need App-id/Secret and a valid request signature; the widget and control routes don't.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import type { SandboxOptions } from '../../module.js'
import { rawBodies, rejectUnauthenticated } from './auth.js'
import { registerControl } from './control.js'
import { seError } from './replies.js'
import { registerApiRoutes } from './routes-api.js'
import { registerDataRoutes } from './routes-data.js'
import { createState } from './state.js'
import { registerWidget } from './widget.js'

export { SANDBOX_APP_ID, SANDBOX_SECRET } from './auth.js'

const BODY_LIMIT = 1024 * 1024

function parsers (app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    rawBodies.set(req, text)
    if (text === '') { done(null, undefined); return }
    try { done(null, JSON.parse(text)) } catch { done(Object.assign(new Error('body is not JSON'), { statusCode: 400 }), undefined) }
  })
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))))
    })
  }
}

export const saltEdgeSandbox: FastifyPluginAsync<SandboxOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now
  const state = createState()
  const prefix = app.prefix
  const publicBase = (host: string | undefined, proto: string): string =>
    opts.baseUrl !== undefined && opts.baseUrl !== '' ? opts.baseUrl.replace(/\/+$/, '') : `${proto}://${host ?? 'localhost'}${prefix}`

  parsers(app)
  app.setErrorHandler((err: { statusCode?: number, message?: string }, _req, reply) => {
    const status = err.statusCode ?? 500
    if (status < 500) return seError(reply.code(status), 'WrongRequestFormat', err.message ?? 'Bad request.')
    return seError(reply, 'InternalServerError', 'Internal server error.')
  })

  await app.register(async api => {
    api.addHook('preHandler', async (req, reply) => {
      if (rejectUnauthenticated(req, reply, now(), opts.baseUrl)) return reply
    })
    registerApiRoutes(api, { state, opts, now, publicBase })
    registerDataRoutes(api, { state, now, slowMs: opts.slowMs ?? 3_000 })
  })
  registerWidget(app, { state, opts, now, prefix })
  registerControl(app, state)
}
