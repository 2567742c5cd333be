/** Operations endpoints: liveness, readiness (Redis reachable) and Prometheus metrics. */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Services } from '../services.js'

export async function healthRoutes (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services
  app.addHook('onResponse', (req, reply, done) => {
    s.metrics.observeHttp(req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000)
    done()
  })

  app.get('/health', {
    schema: { summary: 'Liveness: the process answers.', tags: ['ops'], operationId: 'health', response: { 200: Type.Object({ status: Type.Literal('ok') }) } }
  }, async () => ({ status: 'ok' as const }))

  app.get('/ready', {
    schema: {
      summary: 'Readiness: Redis answers a PING within its command timeout.',
      tags: ['ops'],
      operationId: 'ready',
      response: { 200: Type.Object({ status: Type.Literal('ready'), redis: Type.Literal('ok') }), 503: Type.Object({ status: Type.Literal('unavailable'), redis: Type.String() }) }
    }
  }, async (_req, reply) => {
    try {
      await s.redis.ping()
      return { status: 'ready' as const, redis: 'ok' as const }
    } catch (err) {
      return await reply.code(503).send({ status: 'unavailable' as const, redis: (err as Error).message.slice(0, 100) })
    }
  })

  app.get('/metrics', {
    schema: { summary: 'Prometheus metrics (text format).', tags: ['ops'], operationId: 'metrics', response: { 200: { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: Type.String() } } } } }
  }, async (_req, reply) => {
    const up = s.redis.status === 'ready' ? 1 : 0
    return await reply.type('text/plain; version=0.0.4').send(s.metrics.render({ bsb_redis_up: { help: 'Redis connection ready (1) or not (0).', value: up } }))
  })
}
