/** Per-request context the gate, handlers and error path share. */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AppError } from '../errors.js'

export interface RequestContext {
  rawBody: string
  clientId: string | null
  dbUuid: string | null
  /** Security signal raised by the gate (for the detection rules). */
  security: string | null
  /** Link pages render their own error page. */
  renderErrorPage: ((err: AppError, reference: string) => string) | null
}

declare module 'fastify' {
  interface FastifyRequest {
    bsb: RequestContext
  }
}

export function newRequestContext (): RequestContext {
  return { rawBody: '', clientId: null, dbUuid: null, security: null, renderErrorPage: null }
}

export default fp(async function requestContext (app: FastifyInstance) {
  app.decorateRequest('bsb', null as unknown as RequestContext)
  // Every answer names its request (support looks it up); set first, so refusals carry it too.
  app.addHook('onRequest', (req, reply, done) => {
    req.bsb = newRequestContext()
    reply.header('x-request-id', req.id)
    done()
  })
}, { name: 'request-context' })
