/**
 * One error path for the whole app: every failure gets a reference, one log line and a 90-day
 * record. `/proxy/*` answers in the Odoo envelope with HTTP 200; everything else answers RFC 9457
 * problem+json with a real status. Stack traces and internal messages never reach the caller.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.js'
import { toAppError } from '../errors-map.js'
import { errorEnvelope } from '../protocol/envelope.js'
import { problemFor } from '../protocol/problem.js'
import { newReference } from '../support/references.js'
import type { Services } from '../services.js'
import { newRequestContext } from './request-context.js'

export function surfaceOf (url: string): 'proxy' | 'admin' | 'link' | 'webhook' {
  if (url.startsWith('/proxy/')) return 'proxy'
  if (url.startsWith('/link')) return 'link'
  if (url.startsWith('/webhooks/')) return 'webhook'
  return 'admin'
}

const RECORD_TIMEOUT_MS = 300

async function report (s: Services, req: FastifyRequest, err: AppError, reference: string): Promise<void> {
  const ctx = err.context
  const internal = err.code === 'BSB_INTERNAL'
  const entry = { reference, code: err.code, detail: ctx.detail, provider: ctx.provider, providerCode: ctx.providerCode, providerRequestId: ctx.providerRequestId, clientId: req.bsb.clientId }
  if (internal) req.log.error({ ...entry, err: ctx.cause }, 'request failed')
  else req.log.warn(entry, 'request refused')
  s.metrics.inc('bsb_errors_total', 'Errors returned, by code.', { code: err.code })
  const record = s.errors.save({
    reference,
    time: new Date(s.now()).toISOString(),
    code: err.code,
    odoo_code: err.spec.odooCode,
    surface: surfaceOf(req.url),
    endpoint: `${req.method} ${req.url.split('?')[0] as string}`.slice(0, 200),
    client_id: req.bsb.clientId,
    db_uuid: req.bsb.dbUuid,
    provider: ctx.provider ?? null,
    provider_code: ctx.providerCode ?? null,
    provider_request_id: ctx.providerRequestId ?? null,
    user_message: ctx.userMessage ?? err.spec.message,
    detail: (ctx.detail ?? err.spec.subject).slice(0, 1000),
    next_step: err.spec.action,
    request_id: String(req.id)
  })
  // The record is best effort: when Redis is down the log line above is the record. A refusal caused
  // by Redis itself does not wait for it (the write would time out too) and stays within its second.
  record.catch(() => {})
  if (err.code === 'BSB_SERVICE_UNAVAILABLE' || s.redis.status !== 'ready') return
  await Promise.race([record, new Promise(resolve => setTimeout(resolve, RECORD_TIMEOUT_MS))]).catch(() => {})
}

export async function sendError (s: Services, req: FastifyRequest, reply: FastifyReply, thrown: unknown): Promise<FastifyReply> {
  let err = toAppError(thrown)
  const surface = surfaceOf(req.url)
  if (surface === 'admin' && err.code === 'BSB_INVALID_REQUEST') err = new AppError('BSB_ADMIN_INVALID', err.context)
  const reference = newReference()
  await report(s, req, err, reference)
  reply.header('x-error-reference', reference)
  if (err.context.retryAfterSeconds != null) reply.header('retry-after', String(err.context.retryAfterSeconds))
  if (surface === 'proxy') {
    return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(errorEnvelope(err, reference)))
  }
  if (surface === 'link' && req.bsb.renderErrorPage !== null) {
    return reply.code(err.spec.http).type('text/html; charset=utf-8').send(req.bsb.renderErrorPage(err, reference))
  }
  return reply.code(err.spec.http).type('application/problem+json').send(JSON.stringify(problemFor(err, reference, req.url.split('?')[0] as string)))
}

/**
 * Fastify's own refusals before routing (a path that does not decode, a path parameter longer
 * than maxParamLength) skip hooks and the error handler; this answers them like every other error.
 */
export function frameworkErrors (s: Services) {
  return (err: Error, req: FastifyRequest, reply: FastifyReply): void => {
    req.bsb ??= newRequestContext()
    sendError(s, req, reply, new AppError('BSB_INVALID_REQUEST', { detail: `URL path refused before routing (${(err as { code?: string }).code ?? 'FST_ERR'})`, cause: err }))
      .catch(failure => { req.log.error({ err: failure }, 'framework error answer failed') })
  }
}

export default fp(async function errorHandler (app: FastifyInstance, opts: { services: Services }) {
  app.setErrorHandler(async (err, req, reply) => await sendError(opts.services, req, reply, err))
  app.setNotFoundHandler(async (req, reply) => {
    const code = surfaceOf(req.url) === 'admin' ? 'BSB_ADMIN_NOT_FOUND' : 'BSB_NOT_FOUND'
    return await sendError(opts.services, req, reply, new AppError(code, { detail: `no route ${req.method} ${req.url.split('?')[0] as string}`.slice(0, 300) }))
  })
}, { name: 'error-handler' })
