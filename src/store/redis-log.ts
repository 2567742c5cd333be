/**
 * Connection errors of the Redis client go to our logger, one line per outage burst. Without a
 * listener ioredis prints "Unhandled error event" with a stack to stderr on every reconnect attempt,
 * outside pino and its redaction.
 */
import type { Logger } from 'pino'
import type { RedisClient } from './redis.js'

const QUIET_MS = 10_000

export function logRedisErrors (redis: RedisClient, log: Logger): void {
  let lastLogged = 0
  let suppressed = 0
  redis.on('error', (err: Error) => {
    const now = Date.now()
    if (now - lastLogged < QUIET_MS) {
      suppressed++
      return
    }
    log.warn({ err: err.message, suppressed }, 'redis connection error')
    lastLogged = now
    suppressed = 0
  })
}
