import t from 'tap'
import { adminCall, call, isLockedEnvelope, lastCode, listeningApp, newLink, registerPhone, wrongCode, type LockApp } from '../locks/helpers.js'

const PHONE = '+32470000091'

async function lockedClient (h: LockApp, db: string) {
  const link = await newLink(h.app, db)
  await registerPhone(h, db, PHONE)
  const r = await adminCall(h, 'POST', `/admin/clients/${link.clientId}/lock`, 'ops', { reason: 'test lock' })
  if (r.statusCode !== 200) throw new Error(`lock failed: ${r.body}`)
  return link
}

const unlock = async (h: LockApp, id: string, code: string) => await adminCall(h, 'POST', `/admin/clients/${id}/unlock`, 'ops', { code })
const sendCode = async (h: LockApp, id: string) => await adminCall(h, 'POST', `/admin/clients/${id}/unlock-code`)

t.test('ops unlock through the API: lock, send a code, unlock with it; every action audited', async t => {
  const h = await listeningApp(t, { DETECT_WRONG_CODES: '100' })
  const db = 'db-unlock-api-0001'
  const link = await lockedClient(h, db)
  const list = (await adminCall(h, 'GET', '/admin/locks', 'support')).json()
  t.match(list.clients, [{ client_id: link.clientId, reason: 'by ops: test lock' }])

  const sent = await sendCode(h, link.clientId)
  t.equal(sent.statusCode, 202)
  const code = await lastCode(h.base, PHONE)
  t.match(code, /^\d{6}$/)
  const key = `${h.prefix}{d:${db}}:unlock:${link.clientId}`
  const pttl = await h.redis.pttl(key)
  t.ok(pttl > 595_000 && pttl <= 600_000, `code state lives 600 s (${pttl})`)
  t.notMatch(JSON.stringify(await h.redis.hgetall(key)), new RegExp(code), 'no code at rest')

  const typo = await unlock(h, link.clientId, `${code.slice(0, 3)} ${code.slice(3, 5)}x`)
  t.equal(typo.statusCode, 422, 'a mistyped code is refused')
  const ok = await unlock(h, link.clientId, code)
  t.equal(ok.statusCode, 200, `and does not end the live code: ${ok.body}`)
  t.match(ok.json(), { client_id: link.clientId, locked: false, frozen: false, phone: '***91' })
  t.ok((await call(h.app, '/proxy/v1/get_access_token', link, { db })).result, 'the client is served again')
  const again = await unlock(h, link.clientId, code)
  t.equal(again.statusCode, 422, 'single use')
  t.same((await adminCall(h, 'GET', '/admin/locks', 'support')).json(), { clients: [], databases: [] })

  const audit = await h.app.services.audit.forClient(link.clientId, 50)
  const types = audit.map(e => e.type).reverse()
  t.same(types.filter(x => ['lock_set', 'unlock_code_sent', 'lock_cleared', 'unlock_failed'].includes(x)), ['lock_set', 'unlock_code_sent', 'lock_cleared', 'unlock_failed'])
  for (const e of audit.filter(x => x.type !== 'client_created')) t.equal(e.actor, 'admin:tester', `${e.type} carries the admin identity`)
  t.match(audit.find(e => e.type === 'unlock_code_sent'), { ip: '127.0.0.1', detail: /code sent to \*\*\*91.*request_id=/ })
  const dump = JSON.stringify(await h.app.services.audit.recent(200))
  t.notMatch(dump, /470000091/, 'never the phone')
  t.notMatch(dump, new RegExp(`\\b${code}\\b`), 'never the code')
})

t.test('uniform answers: unknown, unlocked and phoneless clients look alike', async t => {
  const h = await listeningApp(t)
  const db = 'db-unlock-uniform-01'
  const unlocked = await newLink(h.app, db)
  await registerPhone(h, db, PHONE)
  const phoneless = await newLink(h.app, 'db-unlock-nophone-01')
  await adminCall(h, 'POST', `/admin/clients/${phoneless.clientId}/lock`, 'ops', { reason: 'no phone' })
  const shape = (r: { statusCode: number, body: string }) => [r.statusCode, Object.keys(JSON.parse(r.body)).sort().join(), JSON.parse(r.body).code ?? JSON.parse(r.body).message]
  const sends = await Promise.all(['cl_unknown0000', unlocked.clientId, phoneless.clientId].map(async id => shape(await sendCode(h, id))))
  t.same(sends[1], sends[0], 'not locked looks like unknown')
  t.same(sends[2], sends[0], 'no phone looks like unknown')
  t.equal(sends[0]![0], 202)
  const checks = await Promise.all(['cl_unknown0000', unlocked.clientId, phoneless.clientId].map(async id => shape(await unlock(h, id, '123456'))))
  t.same(checks[1], checks[0], 'not locked looks like unknown')
  t.same(checks[2], checks[0], 'no phone looks like unknown')
  t.same(checks[0]!.slice(0, 1), [422])
})

t.test('code expiry on the app clock: accepted at 599 s, refused at 601 s', async t => {
  const h = await listeningApp(t)
  const a = await lockedClient(h, 'db-unlock-exp-0001')
  await sendCode(h, a.clientId)
  h.clock.offset += 599_000
  t.equal((await unlock(h, a.clientId, await lastCode(h.base, PHONE))).statusCode, 200, '599 s: accepted')

  h.clock.offset += 60_000
  const b = await lockedClient(h, 'db-unlock-exp-0002')
  t.equal((await sendCode(h, b.clientId)).statusCode, 202)
  const code = await lastCode(h.base, PHONE)
  h.clock.offset += 601_000
  t.equal((await unlock(h, b.clientId, code)).statusCode, 422, '601 s: refused')
  t.ok(isLockedEnvelope(await call(h.app, '/proxy/v1/accounts', b, { db: 'db-unlock-exp-0002', now: h.clock.now() })), 'lock stays')
})

t.test('5 wrong tries end a code; 10 consecutive failures freeze the client until ops reset it', async t => {
  const h = await listeningApp(t, { DETECT_WRONG_CODES: '100' })
  const db = 'db-unlock-freeze-01'
  const link = await lockedClient(h, db)
  await sendCode(h, link.clientId)
  let code = await lastCode(h.base, PHONE)
  for (let i = 0; i < 5; i++) t.equal((await unlock(h, link.clientId, wrongCode(code))).statusCode, 422, `wrong ${i + 1}`)
  t.equal((await unlock(h, link.clientId, code)).statusCode, 422, 'the right code after 5 wrong tries: the code is dead')

  h.clock.offset += 601_000
  t.equal((await sendCode(h, link.clientId)).statusCode, 202)
  code = await lastCode(h.base, PHONE)
  const concurrent = await Promise.all(Array.from({ length: 8 }, async () => (await unlock(h, link.clientId, wrongCode(code))).statusCode))
  t.same(concurrent.filter(s => s === 422).length + concurrent.filter(s => s === 423).length, 8, 'parallel guesses all refused')
  const state = await h.redis.hgetall(`${h.prefix}{d:${db}}:cl:${link.clientId}`)
  t.equal(state.unlock_failures, '10', 'at most 5 evaluated per code, even in parallel')
  t.equal(state.frozen, '1', 'frozen after 10 consecutive failures')
  t.equal((await sendCode(h, link.clientId)).statusCode, 423, 'no code while frozen')
  t.equal((await unlock(h, link.clientId, code)).json().code, 'BSB_CLIENT_FROZEN')
  t.equal((await call(h.app, '/proxy/v1/accounts', link, { db, now: h.clock.now() })).error.data.exception_type, 'BSB_CLIENT_FROZEN')

  t.equal((await adminCall(h, 'POST', `/admin/clients/${link.clientId}/reset`, 'support')).statusCode, 403, 'support cannot reset')
  const reset = await adminCall(h, 'POST', `/admin/clients/${link.clientId}/reset`)
  t.match(reset.json(), { frozen: false, locked: true }, 'reset clears the freeze, not the lock')
  h.clock.offset += 601_000
  await sendCode(h, link.clientId)
  t.equal((await unlock(h, link.clientId, await lastCode(h.base, PHONE))).statusCode, 200, 'then a new code unlocks')
  const types = (await h.app.services.audit.forClient(link.clientId, 100)).map(e => e.type)
  t.equal(types.filter(x => x === 'unlock_code_failed').length, 10)
  t.equal(types.filter(x => x === 'client_frozen').length, 1)
  t.equal(types.filter(x => x === 'freeze_reset').length, 1)
})

t.test('support tokens cannot lock, send codes or unlock (403); SMS send limits answer 429', async t => {
  const h = await listeningApp(t, { SMS_SENDS_PER_PHONE: '2' })
  const link = await lockedClient(h, 'db-unlock-roles-01')
  for (const [path, body] of [['lock', { reason: 'nope' }], ['unlock-code', undefined], ['unlock', { code: '123456' }]] as const) {
    const r = await adminCall(h, 'POST', `/admin/clients/${link.clientId}/${path}`, 'support', body)
    t.equal(r.statusCode, 403, path)
    t.equal(r.json().code, 'BSB_ADMIN_FORBIDDEN')
  }
  t.equal((await sendCode(h, link.clientId)).statusCode, 202)
  const soon = await sendCode(h, link.clientId)
  t.equal(soon.statusCode, 429, '30 s between two sends')
  t.ok(Number(soon.headers['retry-after']) >= 1)
  h.clock.offset += 31_000
  t.equal((await sendCode(h, link.clientId)).statusCode, 202, 'resend within validity')
  h.clock.offset += 31_000
  t.equal((await sendCode(h, link.clientId)).json().code, 'BSB_SMS_RATE_LIMITED', 'SMS_SENDS_PER_PHONE reached')
})
