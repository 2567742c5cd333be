/**
 * The limits of the reactivation codes, on the app clock and through the same machinery as ops
 * unlock: expiry after 10 minutes, 5 wrong tries end a code, 10 consecutive failures freeze the
 * client until ops reset it (the page then sends the user to support with a reference), and the
 * send limits (30 s between sends, 5 per phone per 10 minutes).
 */
import t from 'tap'
import { adminCall, call, isLockedEnvelope, wrongCode } from '../locks/helpers.js'
import { follow, get, lastCode, startLinkApp, submit, type Page } from './helpers.js'
import { holdClock, lockedClient, openPopup, referenceOf, sentCount, type LockedClient } from './reactivate-helpers.js'

const sendFrom = async (page: Page): Promise<Page> => await follow(await submit(page, 'reactivate/send', {}))

t.test('a code is accepted at 599 s and refused at 601 s (app clock); the lock stays', async t => {
  const la = await startLinkApp(t)
  const keys = la.app.services.keys
  const a = await lockedClient(la, '+32470000501')
  const b = await lockedClient(la, '+32470000502')
  const aCode = await sendFrom(await openPopup(la, a))
  const bCode = await sendFrom(await openPopup(la, b))
  const expiryOf = async (c: LockedClient): Promise<number> => Number(await la.redis.hget(keys.unlockCode(c.db, c.link.clientId), 'expires_at'))
  const pttl = await la.redis.pttl(keys.unlockCode(a.db, a.link.clientId))
  t.ok(pttl > 540_000 && pttl <= 600_000, `the code state lives 600 s (${pttl} ms left)`)

  holdClock(la.clock, await expiryOf(a) - 1_000)
  const accepted = await follow(await submit(aCode, 'reactivate/verify', { code: await lastCode(la, a.phone) }))
  t.match(accepted.url, /\/search$/, '599 s: accepted, on to the normal flow')
  t.ok((await call(la.app, '/proxy/v1/get_access_token', a.link, { db: a.db, now: la.clock.now() })).result, 'a is served')

  holdClock(la.clock, await expiryOf(b) + 1_000)
  const late = await submit(bCode, 'reactivate/verify', { code: await lastCode(la, b.phone) })
  t.equal(late.status, 422, '601 s: refused')
  t.match(late.html, /This code has expired or was not sent. Send a new code./)
  t.notMatch(late.html, /Verification code/, 'no code field for an expired code')
  t.match(late.html, />Send code<\/button>/)
  t.ok(isLockedEnvelope(await call(la.app, '/proxy/v1/accounts', b.link, { db: b.db, now: la.clock.now() })), 'b stays locked')
})

t.test('5 wrong tries end a code; 10 consecutive failures freeze the client until ops reset it', async t => {
  const la = await startLinkApp(t)
  const c = await lockedClient(la, '+32470000503', { bank: true })
  const s = la.app.services
  const at = (): { db: string, now: number } => ({ db: c.db, now: la.clock.now() })
  let codePage = await sendFrom(await openPopup(la, c))
  let code = await lastCode(la, c.phone)
  for (let i = 1; i <= 4; i++) {
    const res = await submit(codePage, 'reactivate/verify', { code: wrongCode(code) })
    t.match(res.html, new RegExp(`This code is not correct. ${5 - i} tries left.`), `wrong ${i}`)
  }
  const fifth = await submit(codePage, 'reactivate/verify', { code: wrongCode(code) })
  t.equal(fifth.status, 422)
  t.match(fifth.html, /Too many wrong codes. Send a new code./)
  t.notMatch(fifth.html, /Verification code/, 'the code field is gone')
  const rightButDead = await submit(codePage, 'reactivate/verify', { code })
  t.match(rightButDead.html, /expired or was not sent/, 'the right code no longer works after 5 wrong tries')
  t.ok(isLockedEnvelope(await call(la.app, '/proxy/v1/accounts', c.link, at())))

  // Twilio refuses a new code while the failed one lives (10 minutes).
  la.clock.offset += 601_000
  codePage = await sendFrom(codePage)
  code = await lastCode(la, c.phone)
  for (let i = 1; i <= 4; i++) t.equal((await submit(codePage, 'reactivate/verify', { code: wrongCode(code) })).status, 422)
  const tenth = await submit(codePage, 'reactivate/verify', { code: wrongCode(code) })
  t.equal(tenth.status, 423, 'the 10th consecutive failure freezes')
  t.match(tenth.html, /Too many wrong codes were entered, so your bank synchronization stays locked until our support team reactivates it. Contact support/)
  const reference = referenceOf(tenth.html)
  t.match(reference, /^ref_/, 'with a reference for support')
  t.match(tenth.html, new RegExp(`Reference: ${reference as string}`))
  const record = await adminCall(la, 'GET', `/admin/errors/${reference as string}`, 'support')
  t.equal(record.statusCode, 200)
  t.match(record.body, c.link.clientId, 'support finds the client from the reference')
  t.match(record.body, /BSB_CLIENT_FROZEN/)

  t.equal((await get(codePage.url.replace(/\/reactivate\/verify$/, '/reactivate'))).status, 423, 'the page stays on "contact support"')
  const smsBefore = await sentCount(la, c.phone)
  const frozenSend = await submit(codePage, 'reactivate/send', {})
  t.equal(frozenSend.status, 423, 'no code while frozen')
  t.equal(await sentCount(la, c.phone), smsBefore)
  t.equal((await submit(codePage, 'reactivate/verify', { code })).status, 423)
  t.equal((await call(la.app, '/proxy/v1/accounts', c.link, at())).error?.data?.exception_type, 'BSB_CLIENT_FROZEN')
  const state = await la.redis.hgetall(s.keys.client(c.db, c.link.clientId))
  t.equal(state.unlock_failures, '10')
  t.equal(state.frozen, '1')
  t.equal(await la.redis.hget(s.keys.dbLock(c.db), 'locked'), '1', '10 wrong codes within the hour also locked the database (rule wrong_codes)')

  t.equal((await adminCall(la, 'POST', `/admin/clients/${c.link.clientId}/reset`)).statusCode, 200, 'ops reset the freeze')
  la.clock.offset += 601_000
  const again = await openPopup(la, c)
  t.match(again.url, /\/reactivate$/, 'after the reset the user can reactivate again')
  const finalPage = await sendFrom(again)
  const done = await follow(await submit(finalPage, 'reactivate/verify', { code: await lastCode(la, c.phone) }))
  t.match(done.url, /\/done$/)
  t.ok((await call(la.app, '/proxy/v1/get_access_token', c.link, at())).result, 'served again; the wrong-codes database lock was lifted too')
  const types = (await s.audit.forClient(c.link.clientId, 200)).map(e => e.type)
  t.equal(types.filter(x => x === 'unlock_code_failed').length, 10)
  t.equal(types.filter(x => x === 'client_frozen').length, 1)
  t.equal(types.filter(x => x === 'lock_cleared').length, 1)
})

t.test('sends: 30 s apart, at most 5 per phone per 10 minutes, a resend keeps the code', async t => {
  const la = await startLinkApp(t)
  const c = await lockedClient(la, '+32470000504')
  const page = await openPopup(la, c)
  const first = await sendFrom(page)
  const code = await lastCode(la, c.phone)
  const soon = await submit(page, 'reactivate/send', {})
  t.equal(soon.status, 429)
  t.match(soon.html, /Please wait \d+ seconds before asking for a new code./)
  t.ok(Number(soon.headers['retry-after']) > 0 && Number(soon.headers['retry-after']) <= 30)
  t.match(soon.html, /Verification code/, 'the live code can still be typed')
  for (let i = 2; i <= 5; i++) {
    la.clock.offset += 31_000
    t.equal((await submit(page, 'reactivate/send', {})).status, 303, `send ${i}`)
  }
  t.equal(await lastCode(la, c.phone), code, 'Twilio resends the pending code')
  la.clock.offset += 31_000
  const sixth = await submit(page, 'reactivate/send', {})
  t.equal(sixth.status, 429)
  t.match(sixth.html, /Too many codes were requested. Try again later./)
  t.equal(await sentCount(la, c.phone), 5)
  const done = await follow(await submit(first, 'reactivate/verify', { code }))
  t.match(done.url, /\/search$/, 'the first code still unlocks (its expiry kept from the first send)')
})
