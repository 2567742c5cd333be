import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { privateRedis } from '../helpers/redis-server.js'
import { signedCall, unsignedCall } from '../helpers/odoo-client.js'

const DB = 'db-outage-00000001'

t.test('Redis down: every check refuses fast with a reference; the broker recovers by itself', async t => {
  const redis = await privateRedis(t, ['--appendonly', 'yes', '--appendfsync', 'always'])
  const h = await buildTestApp(t, { REDIS_URL: redis.url })
  const s = h.app.services
  await s.subscriptions.set(DB, 'enterprise', '2099-12-31', 'test')
  const ex = await unsignedCall(h.app, '/proxy/v1/exchange_token', { exchange_token: await s.exchangeTokens.mint({ dbUuid: DB, link: {} }) }, { dbUuid: DB })
  const link = { clientId: ex.result.client_id, refreshToken: ex.result.refresh_token, accessToken: ex.result.access_token }
  t.ok((await signedCall(h.app, '/proxy/v1/get_access_token', link, {}, { dbUuid: DB })).body.result)

  await redis.stop()
  for (let i = 0; i < 5; i++) {
    const started = Date.now()
    const res = await signedCall(h.app, '/proxy/v1/get_access_token', link, {}, { dbUuid: DB })
    const elapsed = Date.now() - started
    t.equal(res.body.error?.data?.exception_type, 'BSB_SERVICE_UNAVAILABLE', 'fails closed')
    t.match(res.body.error?.data?.error_reference, /^ref_/)
    t.ok(elapsed < 1000, `answered in ${elapsed} ms`)
  }
  const ready = await h.app.inject({ method: 'GET', url: '/ready' })
  t.equal(ready.statusCode, 503, '/ready reports Redis down')

  await redis.start()
  let recovered = false
  for (let i = 0; i < 50 && !recovered; i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    recovered = (await signedCall(h.app, '/proxy/v1/get_access_token', link, {}, { dbUuid: DB })).body.result !== undefined
  }
  t.ok(recovered, 'recovers without restarting the broker, and the client (AOF) survived the restart')
  t.equal((await h.app.inject({ method: 'GET', url: '/ready' })).statusCode, 200)
})
