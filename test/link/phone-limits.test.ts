/**
 * Our own SMS limits on top of Twilio's, on the app clock: code expiry, five wrong tries,
 * 30 s between sends, five sends per phone per 10 minutes, ten per database a day.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { follow, lastCode, provision, start, startLinkApp, submit, type LinkApp, type Page } from './helpers.js'

async function phoneStep (la: LinkApp): Promise<{ db: string, page: Page }> {
  const db = randomUUID()
  await provision(la, db)
  return { db, page: await start(la, { db }) }
}

const send = async (page: Page, phone: string): Promise<Page> => await submit(page, 'phone/send', { phone })

t.test('a code expires after 10 minutes', async t => {
  const la = await startLinkApp(t)
  const { page } = await phoneStep(la)
  const sent = await follow(await send(page, '+32470000101'))
  t.match(sent.html, /We sent a code to \*\*\*01/)
  t.match(sent.html, /<label for="code">Verification code<\/label>/)
  t.match(sent.html, />Verify</)
  const code = await lastCode(la, '+32470000101')
  la.clock.offset += 10 * 60_000 + 1_000
  const late = await submit(sent, 'phone/verify', { code })
  t.equal(late.status, 422)
  t.match(late.html, /This code has expired or was not sent/)
})

t.test('five wrong tries end a code; the right code then no longer works', async t => {
  const la = await startLinkApp(t)
  const { db, page } = await phoneStep(la)
  const sent = await follow(await send(page, '+32470000102'))
  const code = await lastCode(la, '+32470000102')
  const wrong = code === '000000' ? '111111' : '000000'
  for (let i = 1; i <= 4; i++) {
    const res = await submit(sent, 'phone/verify', { code: wrong })
    t.equal(res.status, 422)
    t.match(res.html, new RegExp(`This code is not correct. ${5 - i} tries left.`))
    t.match(res.html, /aria-invalid="true" aria-describedby="code-error"/)
  }
  const fifth = await submit(sent, 'phone/verify', { code: wrong })
  t.match(fifth.html, /Too many wrong codes. Send a new code./)
  t.notMatch(fifth.html, /phone\/verify/, 'no code field any more')
  const late = await submit(sent, 'phone/verify', { code })
  t.match(late.html, /expired or was not sent/, 'the code is over even when right')
  t.notOk(await la.redis.hget(la.app.services.keys.phone(db), 'verified_at'))
  t.ok((await la.app.services.audit.recent(20)).some(e => e.type === 'phone_code_tries_exhausted'))
})

t.test('resends: 30 s apart, at most 5 per phone per 10 minutes', async t => {
  const la = await startLinkApp(t)
  const { page } = await phoneStep(la)
  const phone = '+32470000103'
  t.equal((await send(page, phone)).status, 303)
  const soon = await send(page, phone)
  t.equal(soon.status, 429)
  t.match(soon.html, /Please wait \d+ seconds before asking for a new code/)
  t.ok(soon.headers['retry-after'])
  for (let i = 2; i <= 5; i++) {
    la.clock.offset += 31_000
    t.equal((await send(page, phone)).status, 303, `send ${i}`)
  }
  la.clock.offset += 31_000
  const sixth = await send(page, phone)
  t.equal(sixth.status, 429)
  t.match(sixth.html, /Too many codes were requested/)
  la.clock.offset += 10 * 60_000
  t.equal((await send(page, phone)).status, 303, 'the window slides')
})

t.test('at most 10 sends per database a day, whatever the phone', async t => {
  const la = await startLinkApp(t)
  const { page } = await phoneStep(la)
  for (let i = 0; i < 10; i++) t.equal((await send(page, `+3247000020${i}`)).status, 303, `phone ${i}`)
  const eleventh = await send(page, '+32470000299')
  t.equal(eleventh.status, 429)
  t.match(eleventh.html, /Too many codes were requested/)
  la.clock.offset += 24 * 3_600_000 + 1_000
  t.equal((await send(page, '+32470000299')).status, 410, 'the session itself is over after a day')
})

t.test('a malformed phone number is refused before any SMS', async t => {
  const la = await startLinkApp(t)
  const { page } = await phoneStep(la)
  for (const bad of ['0470 12 34 56', '+0123456789', 'call me', '+32']) {
    const res = await send(page, bad)
    t.equal(res.status, 422, bad)
    t.match(res.html, /Enter the phone number in international format/)
    t.match(res.html, /aria-invalid="true"/)
  }
})

t.test('concurrent sends to one phone: exactly one code goes out', async t => {
  const la = await startLinkApp(t)
  const { reserveSend } = await import('../../src/link/phone-verification.js')
  const db = randomUUID()
  const results = await Promise.all(Array.from({ length: 20 }, async () => await reserveSend(la.app.services, db, '+32470000199')))
  t.equal(results.filter(r => r.ok).length, 1, 'one send taken; the check and the write are one script')
  t.ok(results.filter(r => !r.ok).every(r => r.reason === 'wait'), 'the others are told to wait')
})
