/**
 * One log line per request, when it is answered (Fastify's default is two: on arrival and on
 * answer). The `req` serializer strips query strings and link-session ids (src/logger.ts). The line's
 * fields are this fixed list, none of them secret, so it skips the redaction pass that every other
 * log line gets (a measurable share of a proxy request's CPU: bench/gate).
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export default fp(async function accessLog (app: FastifyInstance) {
  const log = app.log.child({}, { redact: [] })
  app.addHook('onResponse', (req, reply, done) => {
    log.info({ reqId: req.id, req, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed')
    done()
  })
}, { name: 'access-log' })
