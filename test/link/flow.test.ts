/**
 * The whole link flow over real HTTP without a browser: phone verification, search, consent,
 * the sandbox bank's Approve, the result page's events, and the exchange Odoo then makes.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { unsignedCall, signedCall } from '../helpers/odoo-client.js'
import { dataBlock, decide, follow, formOf, get, provision, start, startLinkApp, submit, verifyPhone } from './helpers.js'

t.test('link mode end to end: phone, search, consent, approve, exchange', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const phonePage = await start(la, { db, phone: '+32470123456' })
  t.equal(phonePage.status, 200)
  t.match(phonePage.url, /\/link\/s\/[A-Za-z0-9_-]{32}\/phone$/)
  t.match(phonePage.html, /<label for="phone">Phone number<\/label>/)
  t.match(phonePage.html, /value="\+32470123456"/, 'prefilled from phoneNumber')
  t.match(phonePage.html, />Send code</)
  t.match(phonePage.headers['content-security-policy'], /frame-ancestors \*/)
  t.match(phonePage.headers['content-security-policy'], /script-src 'self'/)
  t.equal(phonePage.headers['referrer-policy'], 'no-referrer')

  const search = await verifyPhone(la, phonePage, '+32 470 12 34 56')
  t.match(search.url, /\/search$/)
  t.match(search.html, /<label for="q">Search for your bank<\/label>/)
  t.match(search.html, /<label for="country">Country<\/label>/)
  t.match(search.html, /<option value="BE" selected>/, 'country defaults to countryCode')
  const phone = await la.redis.hgetall(la.app.services.keys.phone(db))
  t.ok(phone.verified_at, 'phone verified')
  t.notMatch(phone.phone, /470/, 'stored sealed')
  t.equal(la.app.services.box.open(phone.phone as string, `phone:${db}`), '+32470123456')

  const found = await get(`${search.url}?q=Ordinary&country=BE`)
  t.match(found.html, /Sandbox Ordinary Bank<\/button>/)
  t.equal((found.html.match(/>Sandbox Ordinary Bank</g) ?? []).length, 1, 'one entry although several providers offer it in BE')
  t.match(found.html, /Connect through another provider/)
  const ref = /<button type="submit" name="i" value="([^"]+)">Sandbox Ordinary Bank</.exec(found.html)?.[1] as string
  t.match(ref, /^ponto:/, 'BE prefers Ponto')

  const consent = await follow(await get(`${formOf(found, '/consent').action}?i=${encodeURIComponent(ref)}`))
  t.match(consent.html, /<label for="agree">I agree<\/label>/)
  t.match(consent.html, />Continue</)
  const refused = await submit(consent, '/consent', {})
  t.equal(refused.status, 422, 'Continue without I agree is refused')
  t.match(refused.html, /role="alert"/)

  const toBank = await submit(consent, '/consent', { agree: 'yes' })
  t.equal(toBank.status, 303)
  t.match(toBank.location, /\/sandbox\/ponto\//)
  const bankPage = await get(toBank.location as string)
  t.match(bankPage.html, />Approve</)
  const done = await decide(bankPage, 'approve')
  t.equal(done.status, 200)
  t.match(done.url, /\/done$/)
  t.match(done.html, /Your bank is connected/)
  t.match(done.html, /You can close this window/)
  const data = dataBlock(done)
  t.equal(data.hostOrigin, 'https://odoo.example.com')
  t.same(data.events?.map(e => e.event), ['exchange_token', 'success'])
  const success = data.events?.[1]?.data
  t.same(Object.keys(success).sort(), ['auto_sync', 'expiring_synchronization_date', 'name', 'provider_type'])
  t.equal(success.name, 'Sandbox Ordinary Bank')
  t.equal(success.provider_type, 'ponto')
  t.notOk('mode' in success)

  const token = data.events?.[0]?.data as string
  const exchanged = await unsignedCall(la.app, '/proxy/v1/exchange_token', { exchange_token: token, company_id: 1, user_id: 2 }, { dbUuid: db })
  t.ok(exchanged.result?.client_id, 'Odoo gets client credentials')
  const link = { clientId: exchanged.result.client_id, refreshToken: exchanged.result.refresh_token, accessToken: exchanged.result.access_token }
  const again = await signedCall(la.app, '/proxy/v1/get_access_token', link, {}, { dbUuid: db })
  t.ok(again.body.result?.access_token, 'the new client signs')
  const audit = await la.app.services.audit.recent(20)
  const verified = audit.find(e => e.type === 'phone_verified')
  t.match(verified?.detail, /\*\*\*56/)
  t.notMatch(JSON.stringify(audit), /470123/, 'audit never holds the phone')
  t.notMatch(la.logs.filter(l => !l.includes('/sandbox/twilio/outbox')).join(''), /470123/, 'logs never hold the phone (the test\'s own outbox reads aside)')
})
