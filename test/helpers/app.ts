/**
 * Test harness: the real app on a real Redis, isolated by a unique key prefix that is deleted
 * afterwards (SCAN + UNLINK, never FLUSHALL on the shared Redis).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import pino from 'pino'
import { loggerOptions } from '../../src/logger.js'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../../src/config.js'
import { buildApp } from '../../src/app.js'
import { mintAdminToken, type AdminRole } from '../../src/admin/auth.js'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const ADMIN_SECRET = 'test-admin-secret-that-is-long-enough-0123456789'

interface Teardown { teardown: (fn: () => unknown) => void }

export function testEnv (prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    ADMIN_JWT_SECRET: ADMIN_SECRET,
    LOG_LEVEL: 'silent',
    ...extra
  }
}

export async function deleteByPrefix (redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await redis.unlink(...keys)
  } while (cursor !== '0')
}

export interface TestApp {
  app: FastifyInstance
  config: Config
  redis: Redis
  prefix: string
  logs: string[]
  /** Shift the app's clock: `clock.offset += ms`; `clock.now()` is the app's current time. */
  clock: { offset: number, now: () => number }
  adminToken: (role?: AdminRole) => Promise<string>
}

export async function buildTestApp (t: Teardown, env: Record<string, string> = {}): Promise<TestApp> {
  const prefix = `test:${randomUUID().slice(0, 8)}:`
  const config = loadConfig(testEnv(prefix, env))
  const redis = new Redis(REDIS_URL)
  const logs: string[] = []
  const logger = pino(loggerOptions('info'), new Writable({ write (chunk, _enc, cb) { logs.push(String(chunk)); cb() } }))
  const clock = { offset: 0, now: () => Date.now() + clock.offset }
  const app = await buildApp(config, { logger, now: clock.now })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await deleteByPrefix(redis, prefix)
    await redis.quit()
  })
  return { app, config, redis, prefix, logs, clock, adminToken: async (role = 'ops') => await mintAdminToken(config.admin, role, 'tester') }
}
