/**
 * The app for attack tests: like `buildTestApp` (real Redis, own key prefix, shifted clock) but
 * logging through the production logger options (redaction, URL serializer) at a chosen level,
 * optionally listening on a loopback port so the provider and Twilio sandboxes answer over HTTP.
 */
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import pino from 'pino'
import { buildApp } from '../../../src/app.js'
import { loadConfig } from '../../../src/config.js'
import { loggerOptions } from '../../../src/logger.js'
import { mintAdminToken } from '../../../src/admin/auth.js'
import { deleteByPrefix, REDIS_URL, testEnv, type TestApp } from '../../helpers/app.js'
import { freePort } from '../../helpers/net.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface AttackApp extends TestApp { base: string }

/** Detection rules and rate limits out of the way, for fuzzers that send thousands of requests. */
export const UNLIMITED: Record<string, string> = {
  DETECT_BAD_SIGNATURES: '1000000',
  DETECT_PSU_IPS: '1000000',
  DETECT_RATE_FLOOR: '1000000',
  DETECT_WRONG_CODES: '1000000',
  DETECT_LINK_BURST: '1000000',
  RATE_LIMIT_PROXY_IP: '1000000',
  RATE_LIMIT_PROXY_CLIENT: '1000000',
  RATE_LIMIT_ADMIN_IP: '1000000',
  RATE_LIMIT_ADMIN_USER: '1000000'
}

export async function buildAttackApp (t: Teardown, env: Record<string, string> = {}, o: { logLevel?: string, listen?: boolean } = {}): Promise<AttackApp> {
  const port = o.listen === true ? await freePort() : 3000
  const base = `http://127.0.0.1:${port}`
  const prefix = `test:${randomUUID().slice(0, 8)}:`
  const config = loadConfig(testEnv(prefix, { PORT: String(port), PUBLIC_URL: base, ...env }))
  const redis = new Redis(REDIS_URL)
  const logs: string[] = []
  const stream = new Writable({ write (chunk, _enc, cb) { logs.push(String(chunk)); cb() } })
  const logger = pino(loggerOptions(o.logLevel ?? 'info'), stream)
  const clock = { offset: 0, now: () => Date.now() + clock.offset }
  const app = await buildApp(config, { logger, now: clock.now })
  await app.ready()
  if (o.listen === true) await app.listen({ port, host: '127.0.0.1' })
  t.teardown(async () => {
    await app.close()
    await deleteByPrefix(redis, prefix)
    await redis.quit()
  })
  return { app, config, redis, prefix, logs, clock, base, adminToken: async (role = 'ops') => await mintAdminToken(config.admin, role, 'tester') }
}
