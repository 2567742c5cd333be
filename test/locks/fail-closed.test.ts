import t from 'tap'
import { privateRedis } from '../helpers/redis-server.js'
import { unsignedCall } from '../helpers/odoo-client.js'
import { adminCall, call, isLockedEnvelope, listeningApp, newLink, registerPhone } from './helpers.js'

t.test('Redis down: every lock and unlock check refuses within a second with a reference; the lock survives', async t => {
  const redis = await privateRedis(t, ['--appendonly', 'yes', '--appendfsync', 'always'])
  const h = await listeningApp(t, { REDIS_URL: redis.url })
  const db = 'db-failclosed-0001'
  const link = await newLink(h.app, db)
  await registerPhone(h, db, '+32470000055')
  t.equal((await adminCall(h, 'POST', `/admin/clients/${link.clientId}/lock`, 'ops', { reason: 'before the outage' })).statusCode, 200)
  t.equal((await adminCall(h, 'POST', `/admin/clients/${link.clientId}/unlock-code`)).statusCode, 202)
  await redis.stop()

  const timed = async <T> (what: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now()
    const out = await work()
    t.ok(Date.now() - started < 1000, `${what}: answered in ${Date.now() - started} ms`)
    return out
  }
  const gate = await timed('gate', async () => await call(h.app, '/proxy/v1/get_access_token', link, { db }))
  t.match(gate.error.data, { exception_type: 'BSB_SERVICE_UNAVAILABLE', error_reference: /^ref_/ }, 'lock state unknown: refused')
  const token = await h.app.services.exchangeTokens.mint({ dbUuid: db, link: {} }).catch(() => 'unreachable')
  const ex = await timed('exchange', async () => await unsignedCall(h.app, '/proxy/v1/exchange_token', { exchange_token: token }, { dbUuid: db }))
  t.equal(ex.error.data.exception_type, 'BSB_SERVICE_UNAVAILABLE')
  for (const [method, path, body] of [
    ['POST', 'unlock-code', undefined], ['POST', 'unlock', { code: '123456' }], ['POST', 'lock', { reason: 'during outage' }], ['POST', 'reset', undefined]
  ] as const) {
    const r = await timed(path, async () => await adminCall(h, method, `/admin/clients/${link.clientId}/${path}`, 'ops', body))
    t.equal(r.statusCode, 503, `${path}: 503`)
    t.match(r.json(), { code: 'BSB_SERVICE_UNAVAILABLE', reference: /^ref_/ })
  }
  t.equal((await timed('list', async () => await adminCall(h, 'GET', '/admin/locks', 'support'))).statusCode, 503)

  await redis.start()
  let result: any = null
  for (let i = 0; i < 50 && (result === null || result.error?.data?.exception_type === 'BSB_SERVICE_UNAVAILABLE'); i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    result = await call(h.app, '/proxy/v1/accounts', link, { db })
  }
  t.ok(isLockedEnvelope(result), 'after Redis restarts (AOF) the client is still locked')
})
