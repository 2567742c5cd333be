/**
 * One log line per request, when it is answered (Fastify's default is two: on arrival and on
 * answer). The `req` serializer strips query strings and link-session ids (src/logger.ts).
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export default fp(async function accessLog (app: FastifyInstance) {
  app.addHook('onResponse', async (req, reply) => {
    req.log.info({ req, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed')
  })
}, { name: 'access-log' })
