/**
 * One log line per request, when it is answered (Fastify's default is two: on arrival and on
 * answer), with the request's id, method, path (no query string, no link-session id: logUrl), status
 * and time taken. The line is the same JSON a pino call would write, but built here, in the logger's
 * stream: its fields are fixed and hold no secret, and pino's generic serialisation of them was a
 * measurable share of a proxy request's CPU (bench/gate).
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pino, { type DestinationStream, type Logger } from 'pino'
import { logUrl } from '../logger.js'

const INFO = 30

export default fp(async function accessLog (app: FastifyInstance) {
  const log = app.log as unknown as Logger & Record<symbol, unknown>
  const stream = log[pino.symbols.streamSym] as DestinationStream
  // what pino puts after the level: the time, then its bindings (pid, hostname)
  const time = log[pino.symbols.timeSym] as () => string
  const bindings = log[pino.symbols.chindingsSym] as string
  app.addHook('onResponse', (req, reply, done) => {
    if (log.levelVal <= INFO) {
      const id = JSON.stringify(req.id)
      stream.write(`{"level":${INFO}${time()}${bindings},"reqId":${id},"req":{"method":${JSON.stringify(req.method)},"url":${JSON.stringify(logUrl(req.url))},"id":${id}},"res":{"statusCode":${reply.statusCode}},"responseTime":${reply.elapsedTime},"msg":"request completed"}\n`)
    }
    done()
  })
}, { name: 'access-log' })
