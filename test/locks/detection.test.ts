import t from 'tap'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { unsignedCall } from '../helpers/odoo-client.js'
import { adminCall, call, isLockedEnvelope, lastCode, listeningApp, newLink, registerPhone, wrongCode } from './helpers.js'

const TOKEN = '/proxy/v1/get_access_token'
/** get_access_token as Odoo uses it: the new access token replaces the old one for the next calls. */
async function renewing (app: Parameters<typeof call>[0], link: Parameters<typeof call>[2], u: Parameters<typeof call>[3]): Promise<any> {
  const r = await call(app, TOKEN, link, u)
  if (typeof r.result?.access_token === 'string') link.accessToken = r.result.access_token
  return r
}

/** Every endpoint but get_access_token refuses a locked client (Odoo needs that one to open the Reconnect pop-up). */
const PROBE = '/proxy/v1/accounts'

async function events (h: TestApp, type: string) {
  return (await h.app.services.audit.recent(200)).filter(e => e.type === type)
}

/** Moves the app clock to the first second of the next minute, so a burst stays inside one minute. */
function startOfMinute (h: TestApp): number {
  h.clock.offset += 60_000 - (h.clock.now() % 60_000) + 1_000
  return h.clock.now()
}

t.test('bad signatures: the 3rd within the window locks the client, 2 do not', async t => {
  const h = await buildTestApp(t, { DETECT_BAD_SIGNATURES: '3' })
  const db = 'db-det-badsig-0001'
  const link = await newLink(h.app, db)
  for (let i = 0; i < 2; i++) t.equal((await renewing(h.app, link, { db, badSignature: true })).error.code, 100)
  t.ok((await renewing(h.app, link, { db })).result, 'two bad signatures: still served')
  t.equal((await renewing(h.app, link, { db, badSignature: true })).error.code, 100)
  const after = await call(h.app, PROBE, link, { db })
  t.ok(isLockedEnvelope(after), 'the third locked the client')
  t.match(after.error.data, { odoofin_state: 'disconnected', error_reference: /^ref_/, message: /locked/ })
  const [ev] = await events(h, 'security_bad_signatures')
  t.match(ev, { actor: 'rule:bad_signatures', clientId: link.clientId, dbUuid: db, ip: '127.0.0.1', detail: /3 bad signatures.*psu_ip=203\.0\.113\.7/ })
  t.ok(Date.parse(ev!.time) > 0, 'when')
  t.equal((await events(h, 'lock_set')).length, 1, 'one lock record')
})

t.test('bad signatures from someone who knows only the client id never lock the client', async t => {
  const h = await buildTestApp(t, { DETECT_BAD_SIGNATURES: '3' })
  const db = 'db-det-badsig-0002'
  const link = await newLink(h.app, db)
  const stranger = { ...link, accessToken: 'not-the-access-token-of-this-client-000000' }
  for (let i = 0; i < 6; i++) t.equal((await call(h.app, TOKEN, stranger, { db, badSignature: true })).error.code, 100, `bad signature ${i + 1} refused`)
  t.notOk(isLockedEnvelope(await call(h.app, PROBE, link, { db })), 'twice the threshold later, the client is not locked')
  t.ok((await renewing(h.app, link, { db })).result, 'and its own signed calls are served')
  t.same(await events(h, 'security_bad_signatures'), [], 'no rule fired')
  t.equal((await events(h, 'lock_set')).length, 0, 'no lock')
})

t.test('foreign db_uuid: an event every time, the 2nd locks the client', async t => {
  const h = await buildTestApp(t, { DETECT_FOREIGN_DB: '2' })
  const db = 'db-det-foreign-001'
  const link = await newLink(h.app, db)
  t.equal((await renewing(h.app, link, { db: 'db-intruder-00001' })).error.code, 300)
  t.ok((await renewing(h.app, link, { db })).result, 'one foreign use: the owner is still served')
  t.equal((await renewing(h.app, link, { db: 'db-intruder-00001' })).error.code, 300)
  t.ok(isLockedEnvelope(await call(h.app, PROBE, link, { db })), 'the second foreign use locked it')
  const ev = await events(h, 'client_foreign_db')
  t.equal(ev.length, 2, 'one security event per foreign use')
  t.match(ev[0], { detail: /db-intruder-00001.*locked the client/ })
})

t.test('link burst: the 3rd link of a database locks every client of it; 2 do not', async t => {
  const h = await buildTestApp(t, { DETECT_LINK_BURST: '3' })
  const db = 'db-det-links-0001'
  const a = await newLink(h.app, db)
  const b = await newLink(h.app, db)
  t.ok((await renewing(h.app, a, { db })).result, 'two links: served')
  const c = await newLink(h.app, db)
  for (const l of [a, b, c]) t.ok(isLockedEnvelope(await call(h.app, PROBE, l, { db })), 'every client of the database is refused')
  t.equal((await h.redis.hget(`${h.prefix}{d:${db}}:lock`, 'locked')), '1', 'database-wide lock')
  const token = await h.app.services.exchangeTokens.mint({ dbUuid: db, link: { provider: 'plaid' } })
  const refused = await unsignedCall(h.app, '/proxy/v1/exchange_token', { exchange_token: token }, { dbUuid: db })
  t.equal(refused.error.data.exception_type, 'BSB_ACCOUNT_LOCKED', 'no new link for a locked database')
  t.match((await events(h, 'security_link_burst'))[0], { actor: 'rule:link_burst', dbUuid: db, detail: /3 links created/ })
  const other = await newLink(h.app, 'db-det-links-0002')
  t.ok((await renewing(h.app, other, { db: 'db-det-links-0002' })).result, 'other databases are untouched')
})

t.test('request rate: above the floor before a normal is known, then above factor × normal', async t => {
  const h = await buildTestApp(t, { DETECT_RATE_FLOOR: '5', DETECT_RATE_FACTOR: '3' })
  const db = 'db-det-rate-00001'
  const fresh = await newLink(h.app, db)
  let now = startOfMinute(h)
  for (let i = 0; i < 5; i++) t.ok((await renewing(h.app, fresh, { db, now })).result, `request ${i + 1} of 5`)
  t.ok(isLockedEnvelope(await call(h.app, PROBE, fresh, { db, now })), 'the 6th in a minute is refused and locks')
  t.match((await events(h, 'security_rate_anomaly'))[0], { clientId: fresh.clientId, detail: /6 requests this minute, normal unknown\/min, limit 5/ })

  const steady = await newLink(h.app, db)
  now = startOfMinute(h)
  for (let i = 0; i < 4; i++) await renewing(h.app, steady, { db, now })
  now = startOfMinute(h)
  for (let i = 0; i < 12; i++) t.ok((await renewing(h.app, steady, { db, now })).result, `request ${i + 1} of 12 (3 × normal 4)`)
  t.ok(isLockedEnvelope(await call(h.app, PROBE, steady, { db, now })), 'the 13th locks')
})

t.test('distinct end-user IPs: the 3rd locks; repeats and cron calls do not count', async t => {
  const h = await buildTestApp(t, { DETECT_PSU_IPS: '3' })
  const db = 'db-det-psuips-001'
  const link = await newLink(h.app, db)
  for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.1', '198.51.100.2']) t.ok((await renewing(h.app, link, { db, psuIp: ip })).result, ip)
  t.ok((await renewing(h.app, link, { db, psuIp: null })).result, 'cron call, no PSU')
  t.ok(isLockedEnvelope(await call(h.app, PROBE, link, { db, psuIp: '198.51.100.3' })), 'third distinct IP locks')
  t.match((await events(h, 'security_psu_ips'))[0], { detail: /3 distinct end-user IPs.*psu_ip=198\.51\.100\.3/ })
})

t.test('wrong SMS codes: the 3rd for a database locks every client of it', async t => {
  const h = await listeningApp(t, { DETECT_WRONG_CODES: '3' })
  const db = 'db-det-codes-0001'
  const locked = await newLink(h.app, db)
  const bystander = await newLink(h.app, db)
  await registerPhone(h, db, '+32470000042')
  t.equal((await adminCall(h, 'POST', `/admin/clients/${locked.clientId}/lock`, 'ops', { reason: 'test' })).statusCode, 200)
  t.equal((await adminCall(h, 'POST', `/admin/clients/${locked.clientId}/unlock-code`)).statusCode, 202)
  const bad = wrongCode(await lastCode(h.base, '+32470000042'))
  for (let i = 0; i < 2; i++) t.equal((await adminCall(h, 'POST', `/admin/clients/${locked.clientId}/unlock`, 'ops', { code: bad })).statusCode, 422)
  t.ok((await renewing(h.app, bystander, { db })).result, 'two wrong codes: the other client is served')
  t.equal((await adminCall(h, 'POST', `/admin/clients/${locked.clientId}/unlock`, 'ops', { code: bad })).statusCode, 422)
  t.ok(isLockedEnvelope(await call(h.app, PROBE, bystander, { db })), 'the third locked the database')
  t.match((await events(h, 'security_wrong_codes'))[0], { actor: 'rule:wrong_codes', dbUuid: db })
})
