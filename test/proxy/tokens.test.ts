import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { signedCall, unsignedCall, type OdooLink } from '../helpers/odoo-client.js'

const DB = 'db-1234-5678-aaaa'

async function setup (t: Parameters<typeof buildTestApp>[0]) {
  const h = await buildTestApp(t)
  const s = h.app.services
  await s.subscriptions.set(DB, 'enterprise', '2099-12-31', 'test')
  const mint = async (db = DB): Promise<string> => await s.exchangeTokens.mint({ dbUuid: db, link: { provider: 'plaid' } })
  const exchange = async (token: string, db = DB) => await unsignedCall(h.app, '/proxy/v1/exchange_token', { exchange_token: token, company_id: 1, user_id: 2 }, { dbUuid: db })
  const link = async (): Promise<OdooLink> => {
    const r = await exchange(await mint())
    return { clientId: r.result.client_id, refreshToken: r.result.refresh_token, accessToken: r.result.access_token }
  }
  return { ...h, s, mint, exchange, link }
}

t.test('exchange_token returns client credentials once, bound to the database', async t => {
  const h = await setup(t)
  const token = await h.mint()
  const first = await h.exchange(token)
  t.match(first.result, { client_id: /^cl_[0-9a-f]{32}$/, access_token: String })
  t.equal(Buffer.from(first.result.refresh_token, 'base64').length, 32, 'refresh token is base64 of 32 bytes')
  const replay = await h.exchange(token)
  t.equal(replay.error.code, 400, 'a replayed exchange token is refused')
  t.match(replay.error.data, { error_reference: /^ref_/, exception_type: 'BSB_EXCHANGE_TOKEN_INVALID' })
  const other = await h.exchange(await h.mint(), 'db-other-0000-1111')
  t.equal(other.error.code, 400, 'an exchange token minted for another database is refused')
})

t.test('exchange token expires', async t => {
  const h = await setup(t)
  const token = await h.mint()
  await h.redis.del(`${h.prefix}xt:${(await import('../../src/crypto/tokens.js')).sha256Hex(token)}`)
  t.equal((await h.exchange(token)).error.code, 400)
})

t.test('secrets at rest: refresh token sealed, access token hashed', async t => {
  const h = await setup(t)
  const l = await h.link()
  const raw = await h.redis.hgetall(`${h.prefix}{d:${DB}}:cl:${l.clientId}`)
  const dump = JSON.stringify(raw)
  t.notOk(dump.includes(l.refreshToken), 'refresh token not stored in clear')
  t.notOk(dump.includes(l.accessToken), 'access token not stored in clear')
  t.match(raw.rt, /^v1\.k1\./, 'AES-GCM envelope with key id')
})

t.test('signed call succeeds; bad signature is error 100', async t => {
  const h = await setup(t)
  const l = await h.link()
  const ok = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB })
  t.type(ok.body.result.access_token, 'string')
  const bad = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB, tamper: b => b.replace('en_US', 'fr_BE') })
  t.equal(bad.body.error.code, 100)
  t.equal(bad.headers['x-error-reference'], bad.body.error.data.error_reference)
  const stale = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB, timestamp: Math.floor(h.clock.now() / 1000) - 301 })
  t.equal(stale.body.error.code, 100, 'timestamp outside the 300 s window')
  const fresh = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB, timestamp: Math.floor(h.clock.now() / 1000) - 299 })
  t.ok(fresh.body.result, 'timestamp inside the window')
})

t.test('access token expiry: 101 on ordinary endpoints, never on get_access_token', async t => {
  const h = await setup(t)
  const l = await h.link()
  h.clock.offset += (h.config.tokens.accessTtlSeconds + 1) * 1000
  const ts = Math.floor(h.clock.now() / 1000)
  const renewed = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB, timestamp: ts })
  t.type(renewed.body.result.access_token, 'string', 'expired access token accepted by get_access_token')
  t.not(renewed.body.result.access_token, l.accessToken)
})

t.test('refresh token expiry: 102, renew_token rotates with a grace window', async t => {
  const h = await setup(t)
  const l = await h.link()
  h.clock.offset += (h.config.tokens.refreshTtlSeconds + 1) * 1000
  const ts = Math.floor(h.clock.now() / 1000)
  const expired = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB, timestamp: ts })
  t.equal(expired.body.error.code, 102)
  const renew = await signedCall(h.app, '/proxy/v1/renew_token', l, {}, { dbUuid: DB, timestamp: ts })
  const newRefresh = renew.body.result.refresh_token as string
  t.equal(Buffer.from(newRefresh, 'base64').length, 32)
  const withNew = await signedCall(h.app, '/proxy/v1/get_access_token', { ...l, refreshToken: newRefresh }, {}, { dbUuid: DB, timestamp: ts })
  t.type(withNew.body.result.access_token, 'string', 'new refresh token signs, old access token in header')
  const withOld = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB, timestamp: ts })
  t.type(withOld.body.result.access_token, 'string', 'previous refresh token still signs inside the grace window')
  h.clock.offset += (h.config.tokens.refreshGraceSeconds + 1) * 1000
  const late = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB, timestamp: Math.floor(h.clock.now() / 1000) })
  t.equal(late.body.error.code, 100, 'previous refresh token refused after the grace window')
})

t.test('a client used from another database gets 300/link and a security event', async t => {
  const h = await setup(t)
  const l = await h.link()
  const res = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: 'db-intruder-9999' })
  t.equal(res.body.error.code, 300)
  t.equal(res.body.error.data.mode, 'link')
  const events = await h.s.audit.forClient(l.clientId)
  t.ok(events.some(e => e.type === 'client_foreign_db'), 'security event recorded')
})

t.test('legacy and duplicate client ids get a clear error', async t => {
  const h = await setup(t)
  for (const clientId of ['old_record_to_delete', 'duplicate']) {
    const res = await signedCall(h.app, '/proxy/v1/get_access_token', { clientId, refreshToken: 'AAAA', accessToken: 'x' }, {}, { dbUuid: DB })
    t.equal(res.body.error.code, 104, clientId)
    t.match(res.body.error.data, { message: String, error_reference: /^ref_/, odoofin_state: 'disconnected' })
  }
})

t.test('access token expiry answers 101 on an ordinary endpoint; the renewed token works', async t => {
  const h = await setup(t)
  const l = await h.link()
  h.clock.offset += (h.config.tokens.accessTtlSeconds + 1) * 1000
  const ts = Math.floor(h.clock.now() / 1000)
  const expired = await signedCall(h.app, '/proxy/v1/delete_user', l, {}, { dbUuid: DB, timestamp: ts })
  t.equal(expired.body.error.code, 101)
  const renewed = await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB, timestamp: ts })
  const retried = await signedCall(h.app, '/proxy/v1/delete_user', { ...l, accessToken: renewed.body.result.access_token }, {}, { dbUuid: DB, timestamp: ts })
  t.same(retried.body.result, { delete: true })
  const again = await signedCall(h.app, '/proxy/v1/delete_user', { ...l, accessToken: renewed.body.result.access_token }, {}, { dbUuid: DB, timestamp: ts })
  t.equal(again.body.error.code, 104, 'deleting twice: unknown client answers 104, which Odoo treats as deleted')
})

t.test('unentitled databases are refused with a message and a reference before anything else', async t => {
  const h = await setup(t)
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['db-unknown-00000001', async () => {}, 'BSB_SUBSCRIPTION_MISSING'],
    ['db-community-000001', async () => await h.s.subscriptions.set('db-community-000001', 'community', '2099-01-01', 't'), 'BSB_SUBSCRIPTION_COMMUNITY'],
    ['db-expired-00000001', async () => await h.s.subscriptions.set('db-expired-00000001', 'enterprise', '2020-01-01', 't'), 'BSB_SUBSCRIPTION_EXPIRED']
  ]
  for (const [db, prepare, code] of cases) {
    await prepare()
    const res = await h.exchange(await h.mint(db), db)
    t.equal(res.error.data.exception_type, code, db)
    t.match(res.error.data, { message: /subscription|Enterprise|Community/i, error_reference: /^ref_/ })
  }
})

t.test('tokens never reach the logs', async t => {
  const h = await setup(t)
  const l = await h.link()
  await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB })
  await signedCall(h.app, '/proxy/v1/get_access_token', l, {}, { dbUuid: DB, tamper: b => b.replace('en_US', 'xx_XX') })
  const renewed = await signedCall(h.app, '/proxy/v1/renew_token', l, {}, { dbUuid: DB })
  const all = h.logs.join('\n')
  t.ok(h.logs.length > 0, 'something was logged')
  for (const secret of [l.refreshToken, l.accessToken, renewed.body.result.refresh_token]) t.notOk(all.includes(secret), 'secret absent from logs')
})
