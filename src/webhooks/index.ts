/**
 * Provider webhooks/callbacks (`POST /webhooks/<provider>`): the raw body is verified exactly as
 * the provider signs it (Plaid ES256 JWT, Salt Edge RSA-SHA256, Ponto RS512 JWS), deliveries are
 * de-duplicated for 10 minutes, and each accepted event is recorded in the audit trail. Forged
 * deliveries get 401; when Redis is down the answer is 503 so the provider retries later.
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { ProviderError } from '../../providers/errors.js'
import { problemResponses } from '../schemas/admin.js'

const DEDUPE_SECONDS = 600

export async function webhookRoutes (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })

  app.post('/webhooks/:provider', {
    schema: {
      summary: 'Signed webhook or callback from an aggregator (Plaid, Salt Edge, Ponto).',
      tags: ['webhooks'],
      operationId: 'providerWebhook',
      params: Type.Object({ provider: Type.String({ maxLength: 32 }) }),
      response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }), ...problemResponses(400, 401, 404, 503) }
    }
  }, async (req) => {
    const { provider } = req.params as { provider: string }
    const entry = s.providers.get(provider)
    if (entry === undefined || entry.adapter.verifyWebhook === undefined) throw new AppError('BSB_ADMIN_NOT_FOUND', { detail: `no signed webhooks for ${provider}` })
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    let event
    try {
      event = await entry.adapter.verifyWebhook({ headers: req.headers, rawBody, url: `${s.config.publicUrl}/webhooks/${provider}` })
    } catch (err) {
      if (err instanceof ProviderError && (err.kind === 'invalid_request' || err.kind === 'misconfigured')) {
        await s.audit.record({ type: 'webhook_rejected', actor: `provider:${provider}`, ip: req.ip, detail: err.message.slice(0, 200) })
        throw new AppError('BSB_ADMIN_UNAUTHORIZED', { detail: `webhook signature refused: ${err.message}`, provider })
      }
      throw err
    }
    const digest = createHash('sha256').update(rawBody).digest('hex')
    const fresh = await s.redis.set(s.keys.counter(`webhook:${provider}:${digest}`), '1', 'EX', DEDUPE_SECONDS, 'NX')
    if (fresh === null) return { received: true, duplicate: true }
    const kind = typeof event.webhook_code === 'string' ? `${String(event.webhook_type)}:${event.webhook_code}` : typeof (event as { data?: { type?: unknown } }).data?.type === 'string' ? String((event as { data: { type: string } }).data.type) : 'event'
    await s.audit.record({ type: 'webhook_received', actor: `provider:${provider}`, ip: req.ip, detail: kind.slice(0, 100) })
    return { received: true, duplicate: false }
  })
}
