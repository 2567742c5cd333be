import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { privateRedis } from '../helpers/redis-server.js'
import { call, newLink } from '../locks/helpers.js'

t.test('Redis down: the limits still hold from process memory (not fail-open), then Redis again', async t => {
  const redis = await privateRedis(t)
  const h = await buildTestApp(t, { REDIS_URL: redis.url, RATE_LIMIT_PROXY_IP: '4', RATE_LIMIT_ADMIN_IP: '3' })
  const db = 'db-rl-fallback-001'
  const link = await newLink(h.app, db)
  await redis.stop()

  for (let i = 0; i < 4; i++) {
    const started = Date.now()
    const r = await call(h.app, '/proxy/v1/get_access_token', link, { db })
    t.equal(r.error?.data?.exception_type, 'BSB_SERVICE_UNAVAILABLE', `proxy ${i + 1}: the gate fails closed`)
    t.ok(Date.now() - started < 1000, 'within a second')
  }
  t.equal((await call(h.app, '/proxy/v1/get_access_token', link, { db })).error.data.exception_type, 'BSB_RATE_LIMITED', 'the 5th: the in-memory limiter holds')

  const token = await h.adminToken('support')
  const admin = async () => await h.app.inject({ method: 'GET', url: '/admin/locks', headers: { authorization: `Bearer ${token}` } })
  for (let i = 0; i < 3; i++) t.equal((await admin()).statusCode, 503, `admin ${i + 1}: 503 (listing needs Redis)`)
  const limited = await admin()
  t.equal(limited.statusCode, 429, 'admin limit holds too')
  t.ok(Number(limited.headers['retry-after']) >= 1)

  await redis.start()
  let back = false
  for (let i = 0; i < 50 && !back; i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    back = (await h.redis.ping().catch(() => null)) === 'PONG' && (await h.app.inject({ method: 'GET', url: '/ready' })).statusCode === 200
  }
  t.ok(back, 'Redis back')
  const keys = await h.app.services.redis.keys(`${h.prefix}rl:*`)
  t.ok(keys.length === 0, 'nothing was counted in Redis during the outage (memory only)')
})
