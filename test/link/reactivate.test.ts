/**
 * Reactivation of a locked client in the pop-up, over real HTTP without a browser: a detection
 * rule locks the client, the proxy refuses it, Odoo opens the reconnect pop-up, the user sends a
 * code to the registered phone, types a wrong one then the right one, and the proxy serves again.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { call, isLockedEnvelope, newLink, wrongCode } from '../locks/helpers.js'
import { dataBlock, exchange, follow, get, lastCode, linkBank, provision, startLinkApp, submit } from './helpers.js'
import { BROWSER_UA, lockedClient, openPopup, sentCount, submitAs } from './reactivate-helpers.js'
import { lockClient, lockDatabase } from '../../src/locks/store.js'

t.test('lock → proxy refused → reconnect pop-up → send code → wrong code → right code → proxy serves again', async t => {
  const la = await startLinkApp(t, { DETECT_BAD_SIGNATURES: '3' })
  const db = randomUUID()
  const phone = '+32470000456'
  await provision(la, db)
  const link = await exchange(la, db, await linkBank(la, db, { phone }))
  t.ok((await call(la.app, '/proxy/v1/accounts', link, { db })).result?.accounts?.length > 0, 'the new link serves')

  for (let i = 0; i < 3; i++) await call(la.app, '/proxy/v1/accounts', link, { db, badSignature: true })
  const refused = await call(la.app, '/proxy/v1/accounts', link, { db })
  t.ok(isLockedEnvelope(refused), 'three bad signatures locked the client')
  t.equal(refused.error.data.odoofin_state, 'disconnected', 'Odoo shows Reconnect')
  t.match(refused.error.data.message, /locked your bank synchronization for your safety/)

  const page = await openPopup(la, { db, link })
  t.equal(page.status, 200)
  t.match(page.url, /\/link\/s\/[A-Za-z0-9_-]{32}\/reactivate$/, 'the reconnect pop-up opens on reactivation')
  t.match(page.html, /<h1>Reactivate your bank synchronization<\/h1>/)
  t.match(page.html, /locked your bank synchronization for your safety/)
  t.match(page.html, /registered for this database: \*\*\*56\./, 'the phone masked to its last 2 digits')
  t.notMatch(page.html, /470000456|4700004/, 'never more of the phone')
  t.match(page.html, />Send code<\/button>/)
  t.notMatch(page.html, /Verification code/, 'no code field before a code is sent')
  t.match(page.headers['content-security-policy'], /frame-ancestors \*/)
  t.match(page.html, /name="csrf" value="[A-Za-z0-9_-]+"/)

  la.clock.offset += 31_000 // the phone got its link-verification SMS just now: 30 s between two sends
  const sentBefore = await sentCount(la, phone)
  const sent = await submit(page, 'reactivate/send', {})
  t.equal(sent.status, 303, 'Send code redirects (works without a script)')
  t.equal(await sentCount(la, phone), sentBefore + 1, 'one SMS to the registered phone')
  const codePage = await follow(sent)
  t.match(codePage.html, /We sent a code to \*\*\*56. It is valid for 10 minutes./)
  t.match(codePage.html, /<label for="code">Verification code<\/label>/)
  t.match(codePage.html, />Verify<\/button>/)
  const code = await lastCode(la, phone)

  const wrong = await submit(codePage, 'reactivate/verify', { code: wrongCode(code) })
  t.equal(wrong.status, 422)
  t.match(wrong.html, /This code is not correct. 4 tries left./)
  t.match(wrong.html, /aria-invalid="true" aria-describedby="code-error"/)
  t.ok(isLockedEnvelope(await call(la.app, '/proxy/v1/accounts', link, { db })), 'still locked after a wrong code')

  const right = await submitAs(codePage, 'reactivate/verify', { code })
  t.equal(right.status, 303)
  const done = await follow(right)
  t.match(done.url, /\/done$/)
  t.match(done.html, /Your bank synchronization is reactivated/)
  const events = dataBlock(done).events ?? []
  t.same(events.map(e => e.event), ['success'], 'a reconnect ends with success: Odoo marks the link connected and fetches')
  t.match(events[0]?.data, { name: 'Sandbox Ordinary Bank', provider_type: 'ponto', auto_sync: true })
  t.notOk('mode' in (events[0]?.data ?? {}))

  const served = await call(la.app, '/proxy/v1/accounts', link, { db })
  t.ok(served.result?.accounts?.length > 0, 'the proxy serves the client again')
  t.equal((await submit(codePage, 'reactivate/verify', { code })).status, 303, 'a replayed Verify only redirects')
  t.match((await get(codePage.url)).location, /\/done$/, 'the reactivation page is over')

  const audit = await la.app.services.audit.forClient(link.clientId, 50)
  const cleared = audit.find(e => e.type === 'lock_cleared')
  t.match(cleared, { actor: 'user:link-session', ip: '127.0.0.1', userAgent: BROWSER_UA, dbUuid: db, detail: /unlocked by SMS code sent to \*\*\*56; lifted=client; .*lock_reason=3 bad signatures/ })
  const when = Date.parse(cleared?.time ?? '')
  t.ok(Math.abs(when - Date.now()) < 60_000, 'with the time it happened')
  t.same(audit.filter(e => e.actor === 'user:link-session').map(e => e.type).reverse(), ['unlock_code_sent', 'unlock_code_failed', 'lock_cleared'])
  t.match(audit.find(e => e.type === 'lock_set'), { actor: 'rule:bad_signatures' })
  const dump = JSON.stringify(await la.app.services.audit.recent(200))
  t.notMatch(dump, /470000456/, 'the audit never holds the phone')
  t.notMatch(dump, new RegExp(`\\b${code}\\b`), 'nor the code')
  t.notMatch(la.logs.filter(l => !l.includes('/sandbox/twilio/')).join(''), new RegExp(`470000456|\\b${code}\\b`), 'nor do the logs')
})

t.test('French and Dutch from the Odoo language', async t => {
  const la = await startLinkApp(t)
  const c = await lockedClient(la, '+32470000457')
  const fr = await openPopup(la, c, { lang: 'fr_BE' })
  t.match(fr.html, /<html lang="fr">/)
  t.match(fr.html, /Réactivez votre synchronisation bancaire/)
  t.match(fr.html, /pour votre sécurité/)
  t.match(fr.html, /enregistré pour cette base de données : \*\*\*57\./)
  t.match(fr.html, />Envoyer le code<\/button>/)
  const frCode = await follow(await submit(fr, 'reactivate/send', {}))
  t.match(frCode.html, /<label for="code">Code de vérification<\/label>/)
  t.match(frCode.html, />Vérifier<\/button>/)
  const nl = await openPopup(la, c, { lang: 'nl_BE' })
  t.match(nl.html, /Heractiveer uw banksynchronisatie/)
  t.match(nl.html, />Code versturen<\/button>/)
  t.match(nl.html, /Verificatiecode/, 'the code sent from the French page is live for the Dutch one too')
})

t.test('a database-wide lock: the code lifts it for every client; a client\'s own lock stays', async t => {
  const la = await startLinkApp(t)
  const a = await lockedClient(la, '+32470000458')
  const s = la.app.services
  const b = await newLink(la.app, a.db)
  const c = await newLink(la.app, a.db)
  await lockDatabase(s, a.db, 'test: link burst', { actor: 'rule:test' }, null)
  await lockClient(s, a.db, c.clientId, 'test: own lock', { actor: 'rule:test' })
  t.ok(isLockedEnvelope(await call(la.app, '/proxy/v1/accounts', b, { db: a.db })), 'b refused by the database lock')

  const page = await openPopup(la, { db: a.db, link: b }, { mode: 'updateCredentials' })
  t.match(page.url, /\/reactivate$/, 'any client mode reactivates first')
  const codePage = await follow(await submit(page, 'reactivate/send', {}))
  const next = await follow(await submit(codePage, 'reactivate/verify', { code: await lastCode(la, a.phone) }))
  t.match(next.url, /\/search$/, 'updateCredentials goes on with its normal flow (this bare link has no bank: search)')
  t.ok((await call(la.app, '/proxy/v1/get_access_token', b, { db: a.db })).result, 'b is served')
  t.ok(isLockedEnvelope(await call(la.app, '/proxy/v1/accounts', a.link, { db: a.db })), 'a keeps its own lock')
  t.ok(isLockedEnvelope(await call(la.app, '/proxy/v1/accounts', c, { db: a.db })), 'c keeps its own lock')
  t.equal(await s.redis.exists(s.keys.dbLock(a.db)), 0, 'the database lock is gone')
  const cleared = (await s.audit.forClient(b.clientId, 20)).find(e => e.type === 'lock_cleared')
  t.match(cleared?.detail, /lifted=database; .*lock_reason=test: link burst/)
})

t.test('mode none reactivates before its result', async t => {
  const la = await startLinkApp(t)
  const c = await lockedClient(la, '+32470000459', { bank: true })
  const page = await openPopup(la, c, { mode: 'none' })
  t.match(page.url, /\/reactivate$/)
  t.match((await get(page.url.replace(/reactivate$/, 'done'))).location, /\/reactivate$/, 'the result page waits for the reactivation')
  const codePage = await follow(await submit(page, 'reactivate/send', {}))
  const done = await follow(await submit(codePage, 'reactivate/verify', { code: await lastCode(la, c.phone) }))
  t.match(done.url, /\/done$/)
  t.same(dataBlock(done).events?.map(e => e.event), ['success'])
})

t.test('a typo that cannot be a code is not a try', async t => {
  const la = await startLinkApp(t)
  const c = await lockedClient(la, '+32470000460')
  const codePage = await follow(await submit(await openPopup(la, c), 'reactivate/send', {}))
  const typo = await submit(codePage, 'reactivate/verify', { code: '12a456' })
  t.equal(typo.status, 422)
  t.match(typo.html, /Enter the code from the SMS \(digits only\)./)
  const done = await follow(await submit(codePage, 'reactivate/verify', { code: ` ${await lastCode(la, c.phone)} ` }))
  t.match(done.url, /\/search$/, 'the code still works after the typo (spaces trimmed)')
  t.equal((await la.app.services.audit.forClient(c.link.clientId, 20)).filter(e => e.type === 'unlock_code_failed').length, 0)
})

t.test('a database without a registered phone: the page sends the user to support with a reference', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const link = await newLink(la.app, db)
  await lockClient(la.app.services, db, link.clientId, 'test: suspicious activity', { actor: 'rule:test' })
  const page = await openPopup(la, { db, link })
  t.equal(page.status, 423)
  t.match(page.html, /No phone number is registered for this database, so the synchronization cannot be reactivated here. Contact support/)
  t.match(page.html, /Reference: ref_[0-9a-z]{20}/)
  t.notMatch(page.html, /Send code/)
})

t.test('Odoo\'s own order: get_access_token, then the reconnect pop-up with that token', async t => {
  const la = await startLinkApp(t)
  const c = await lockedClient(la, '+32470000462')
  const token = await call(la.app, '/proxy/v1/get_access_token', c.link, { db: c.db })
  t.ok(token.result?.access_token, 'Odoo gets a fresh access token for the pop-up')
  t.ok(isLockedEnvelope(await call(la.app, '/proxy/v1/accounts', { ...c.link, accessToken: token.result?.access_token ?? c.link.accessToken }, { db: c.db })), 'which serves nothing else while locked')
  const page = await openPopup(la, { db: c.db, link: { ...c.link, accessToken: token.result?.access_token ?? 'none' } })
  t.match(page.url, /\/reactivate$/)
})
