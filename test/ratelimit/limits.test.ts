import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { mintAdminToken } from '../../src/admin/auth.js'
import { call, newLink, sharedEnv } from '../locks/helpers.js'

t.test('admin per user: N pass, then 429 problem+json with Retry-After and RateLimit-* headers', async t => {
  const h = await buildTestApp(t, { RATE_LIMIT_ADMIN_USER: '3', RATE_LIMIT_WINDOW: '60' })
  const token = await h.adminToken('support')
  const get = async () => await h.app.inject({ method: 'GET', url: '/admin/locks', headers: { authorization: `Bearer ${token}` } })
  for (let i = 0; i < 3; i++) {
    const r = await get()
    t.equal(r.statusCode, 200)
    t.equal(r.headers['ratelimit-limit'], '3')
    t.equal(r.headers['ratelimit-remaining'], String(2 - i), 'remaining counts down')
    t.ok(Number(r.headers['ratelimit-reset']) >= 1)
  }
  const refused = await get()
  t.equal(refused.statusCode, 429)
  t.match(refused.headers['content-type'], /application\/problem\+json/)
  t.match(refused.json(), { status: 429, code: 'BSB_RATE_LIMITED', reference: /^ref_/ })
  t.match(refused.headers['retry-after'], /^[1-9]\d*$/, 'Retry-After in whole seconds')
  t.ok(Number(refused.headers['retry-after']) <= 60)
  t.equal(refused.headers['ratelimit-remaining'], '0')
  const other = await mintAdminToken(h.config.admin, 'support', 'someone-else')
  t.equal((await h.app.inject({ method: 'GET', url: '/admin/locks', headers: { authorization: `Bearer ${other}` } })).statusCode, 200, 'another admin has its own budget')
})

t.test('admin per IP counts before authentication, 404s included; X-Forwarded-For is not trusted', async t => {
  const h = await buildTestApp(t, { RATE_LIMIT_ADMIN_IP: '3' })
  for (let i = 0; i < 3; i++) t.equal((await h.app.inject({ method: 'GET', url: i === 0 ? '/admin/nope' : '/admin/locks', headers: { 'x-forwarded-for': `192.0.2.${i}` } })).statusCode, i === 0 ? 404 : 401)
  const r = await h.app.inject({ method: 'GET', url: '/admin/locks', headers: { authorization: `Bearer ${await h.adminToken()}`, 'x-forwarded-for': '192.0.2.99' } })
  t.equal(r.statusCode, 429, 'the 4th from the same socket IP is refused, token or not, spoofed header or not')
  t.equal(r.json().code, 'BSB_RATE_LIMITED')
})

t.test('proxy per IP and per client: answered in the Odoo envelope with a reference', async t => {
  const h = await buildTestApp(t, { RATE_LIMIT_PROXY_IP: '6', RATE_LIMIT_PROXY_CLIENT: '2' })
  const db = 'db-rl-proxy-00001'
  const link = await newLink(h.app, db)
  const other = await newLink(h.app, db)
  const results = []
  for (let i = 0; i < 3; i++) results.push(await call(h.app, '/proxy/v1/get_access_token', link, { db }))
  t.ok(results[0].result && results[1].result, 'two per client pass')
  t.match(results[2], { jsonrpc: '2.0', error: { code: 429, message: 'Too many requests', data: { exception_type: 'BSB_RATE_LIMITED', error_reference: /^ref_/ } } })
  t.ok((await call(h.app, '/proxy/v1/get_access_token', other, { db })).result, 'another client behind the same IP has its own budget')
  const ipLimited = await call(h.app, '/proxy/v1/get_access_token', other, { db })
  t.equal(ipLimited.error.data.exception_type, 'BSB_RATE_LIMITED', 'the 7th proxy request from this IP (2 exchanges + 4 calls before) is refused')
  const rec = await h.app.services.errors.get(ipLimited.error.data.error_reference)
  t.match(rec, { code: 'BSB_RATE_LIMITED', detail: /source IP/ })
})

t.test('two instances sharing Redis: exactly the configured number pass, every repetition', async t => {
  const env = sharedEnv(t, { RATE_LIMIT_ADMIN_USER: '50', RATE_LIMIT_ADMIN_IP: '1000000' })
  const a = await buildTestApp(t, env)
  const b = await buildTestApp(t, env)
  for (let rep = 0; rep < 10; rep++) {
    const token = await mintAdminToken(a.config.admin, 'support', `burst-${rep}`)
    const statuses = await Promise.all(Array.from({ length: 200 }, async (_, i) =>
      (await (i % 2 === 0 ? a : b).app.inject({ method: 'GET', url: '/admin/locks', headers: { authorization: `Bearer ${token}` } })).statusCode))
    t.same([statuses.filter(s => s === 200).length, statuses.filter(s => s === 429).length], [50, 150], `repetition ${rep + 1}: 50 × 200, 150 × 429`)
  }
})

t.test('two instances, one client: exactly the per-client limit passes', async t => {
  const env = sharedEnv(t, { RATE_LIMIT_PROXY_CLIENT: '20' })
  const a = await buildTestApp(t, env)
  const b = await buildTestApp(t, env)
  const db = 'db-rl-shared-0001'
  const link = await newLink(a.app, db)
  const res = await Promise.all(Array.from({ length: 60 }, async (_, i) => await call(i % 2 === 0 ? a.app : b.app, '/proxy/v1/get_access_token', link, { db })))
  t.equal(res.filter(r => r.result !== undefined).length, 20, '20 served')
  t.equal(res.filter(r => r.error?.data?.exception_type === 'BSB_RATE_LIMITED').length, 40, '40 refused in the envelope')
  const keys = await a.redis.keys(`${env.REDIS_KEY_PREFIX}rl:*`)
  t.ok(keys.length > 0 && (await Promise.all(keys.map(async k => await a.redis.pttl(k)))).every(ms => ms > 0 && ms <= 60_000), 'counters under the prefix, each with a TTL')
})
