/**
 * D5 (reliability.md §4 S8): the broker's Redis client fails fast instead of queueing or hanging:
 * no offline queue, at most one retry per command, a command timeout below one second (so a
 * refusal fits the 1 s budget), in every REDIS_MODE. Then the timeout at work: a Redis that hangs
 * with its connections open (SIGSTOP) turns into a referenced refusal, not a hung request.
 */
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import type { RedisOptions } from 'ioredis'
import { buildTestApp, testEnv } from '../helpers/app.js'
import { privateRedis } from '../helpers/redis-server.js'
import { freePort } from '../helpers/net.js'
import { signedCall, unsignedCall } from '../helpers/odoo-client.js'
import { loadConfig } from '../../src/config.js'
import { createRedis, type RedisClient } from '../../src/store/redis.js'

const DB = 'db-redis-options-0001'

function assertFailFast (t: Test, o: RedisOptions, where: string): void {
  t.equal(o.enableOfflineQueue, false, `${where}: enableOfflineQueue false`)
  t.ok(typeof o.maxRetriesPerRequest === 'number' && o.maxRetriesPerRequest <= 1, `${where}: maxRetriesPerRequest ≤ 1 (got ${String(o.maxRetriesPerRequest)}; null would retry forever)`)
  t.ok(typeof o.commandTimeout === 'number' && o.commandTimeout > 0 && o.commandTimeout < 1_000, `${where}: commandTimeout set, below 1 s (got ${String(o.commandTimeout)})`)
}

async function clientFor (t: Test, mode: string, url: string): Promise<RedisClient> {
  const redis = createRedis(loadConfig(testEnv(`test:${randomUUID().slice(0, 8)}:`, { REDIS_MODE: mode, REDIS_URL: url })))
  redis.on('error', () => {})
  t.teardown(() => redis.disconnect())
  return redis
}

t.test('D5: the running app’s client', async t => {
  const h = await buildTestApp(t)
  assertFailFast(t, (h.app.services.redis as { options: RedisOptions }).options, 'app')
})

t.test('D5: every REDIS_MODE builds a fail-fast client', async t => {
  const port = await freePort()
  const standalone = await clientFor(t, 'standalone', `redis://127.0.0.1:${port}`)
  assertFailFast(t, (standalone as { options: RedisOptions }).options, 'standalone')
  const sentinel = await clientFor(t, 'sentinel', `127.0.0.1:${port}`)
  assertFailFast(t, (sentinel as { options: RedisOptions }).options, 'sentinel')
  const cluster = await clientFor(t, 'cluster', `127.0.0.1:${port}`)
  const co = (cluster as unknown as { options: { enableOfflineQueue?: boolean, redisOptions?: RedisOptions } }).options
  t.equal(co.enableOfflineQueue, false, 'cluster: enableOfflineQueue false')
  assertFailFast(t, co.redisOptions ?? {}, 'cluster nodes')
})

t.test('D5: a hung Redis (SIGSTOP) gives a referenced refusal, then the broker recovers by itself', async t => {
  const redis = await privateRedis(t, ['--appendonly', 'yes', '--appendfsync', 'everysec'])
  const h = await buildTestApp(t, { REDIS_URL: redis.url })
  await h.app.services.subscriptions.set(DB, 'enterprise', '2099-12-31', 'test')
  const ex = await unsignedCall(h.app, '/proxy/v1/exchange_token', { exchange_token: await h.app.services.exchangeTokens.mint({ dbUuid: DB, link: {} }) }, { dbUuid: DB })
  const link = { clientId: ex.result.client_id, refreshToken: ex.result.refresh_token, accessToken: ex.result.access_token }

  redis.pause()
  const started = Date.now()
  const res = await signedCall(h.app, '/proxy/v1/get_access_token', link, {}, { dbUuid: DB })
  const elapsed = Date.now() - started
  redis.resume()
  t.equal(res.body.error?.data?.exception_type, 'BSB_SERVICE_UNAVAILABLE', 'fails closed')
  t.match(res.body.error?.data?.error_reference, /^ref_/, 'with a reference')
  t.comment(`refused in ${elapsed} ms with Redis hung (target 1 s: 100 ms limiter wait + 500 ms command timeout; a Redis refusal does not wait for its error record)`)
  t.ok(elapsed < 3_000, 'well before any request timeout (generous bound for a loaded CI machine)')

  let back = false
  for (let i = 0; i < 50 && !back; i++) {
    back = (await signedCall(h.app, '/proxy/v1/get_access_token', link, {}, { dbUuid: DB })).body.result !== undefined
    if (!back) await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.ok(back, 'answers again once Redis resumes, same broker process')
})
