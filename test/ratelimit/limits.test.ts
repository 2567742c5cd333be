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

t.test('proxy per client: the envelope with a reference; databases behind one IP keep their own budgets', async t => {
  const h = await buildTestApp(t, { RATE_LIMIT_PROXY_IP: '3', RATE_LIMIT_PROXY_CLIENT: '2' })
  const link = await newLink(h.app, 'db-rl-proxy-00001')
  const other = await newLink(h.app, 'db-rl-proxy-00002')
  const results = []
  for (let i = 0; i < 3; i++) results.push(await call(h.app, '/proxy/v1/get_access_token', link, { db: 'db-rl-proxy-00001' }))
  t.ok(results[0].result && results[1].result, 'two per client pass')
  t.match(results[2], { jsonrpc: '2.0', error: { code: 429, message: 'Too many requests', data: { exception_type: 'BSB_RATE_LIMITED', error_reference: /^ref_/ } } })
  const rec = await h.app.services.errors.get(results[2].error.data.error_reference)
  t.match(rec, { code: 'BSB_RATE_LIMITED', detail: /client/ })
  for (let i = 0; i < 2; i++) {
    t.ok((await call(h.app, '/proxy/v1/get_access_token', other, { db: 'db-rl-proxy-00002' })).result, `the other database behind the same IP: call ${i + 1} served`)
  }
})

t.test('proxy per IP: unsigned requests and failed authentications share the IP budget', async t => {
  const h = await buildTestApp(t, { RATE_LIMIT_PROXY_IP: '3', RATE_LIMIT_PROXY_CLIENT: '100' })
  const db = 'db-rl-proxy-ip-001'
  const link = await newLink(h.app, db)
  const stranger = { clientId: 'c_unknown_client_000000000000', accessToken: 'x', refreshToken: link.refreshToken }
  const first = await call(h.app, '/proxy/v1/get_access_token', stranger, { db })
  t.equal(first.error.data.exception_type, 'BSB_LINK_REQUIRED', 'an unknown client is told to link again (2nd request of this IP)')
  t.equal((await call(h.app, '/proxy/v1/get_access_token', stranger, { db })).error.data.exception_type, 'BSB_LINK_REQUIRED', '3rd')
  const limited = await call(h.app, '/proxy/v1/get_access_token', stranger, { db })
  t.match(limited.error.data, { exception_type: 'BSB_RATE_LIMITED', error_reference: /^ref_/ }, 'the 4th failure from this IP is refused as rate limited')
  t.match(await h.app.services.errors.get(limited.error.data.error_reference), { detail: /source IP/ })
  const unsigned = await h.app.inject({ method: 'POST', url: '/proxy/v1/exchange_token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ exchange_token: 'nope', utils: { db_uuid: db } }) })
  t.equal(unsigned.json().error.data.exception_type, 'BSB_RATE_LIMITED', 'unsigned requests from the IP are refused too')
  t.ok((await call(h.app, '/proxy/v1/get_access_token', link, { db })).result, 'a correctly signed client behind that IP is still served')
})

t.test('the gate path is one Redis command: MONITOR sees a single script call for a signed request', async t => {
  const h = await buildTestApp(t)
  const db = 'db-rl-monitor-0001'
  const link = await newLink(h.app, db)
  await call(h.app, '/proxy/v1/consent_expiring_date', link, { db })
  const monitor = await h.redis.monitor()
  t.teardown(() => monitor.disconnect())
  const seen: string[] = []
  // Commands a script runs are listed too, with source "lua": only the client's own commands are round trips.
  monitor.on('monitor', (_time: string, args: string[], source: string) => { if (source !== 'lua' && args.some(a => a.includes(h.prefix))) seen.push(args.join(' ')) })
  await new Promise(resolve => setTimeout(resolve, 50))
  const gateOnly = seen.length
  const res = await call(h.app, '/proxy/v1/get_access_token', link, { db })
  t.ok(res.result?.access_token, 'served')
  await new Promise(resolve => setTimeout(resolve, 100))
  const commands = seen.slice(gateOnly)
  const reads = commands.filter(c => !/^hset /i.test(c))
  t.equal(reads.length, 1, `one command before the handler's own write: ${reads.map(c => c.split(' ')[0]).join(', ')}`)
  t.match(reads[0], /^evalsha /i, 'the gate script')
  t.equal(commands.length, 2, 'the handler then writes the new access token (HSET): nothing else')
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
  const keys = await a.redis.keys(`${env.REDIS_KEY_PREFIX}{d:${db}}:rate:*`)
  t.equal(keys.length, 1, 'one counter for the client, under its database hash tag')
  t.ok((await Promise.all(keys.map(async k => await a.redis.pttl(k)))).every(ms => ms > 0 && ms <= 60_000), 'with a TTL no longer than the window')
})
