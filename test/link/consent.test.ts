/**
 * Consent outcomes: Deny at the bank, a replayed provider return, reconnect and update
 * credentials rewriting the link in place, a bad access token, and mode none.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { readLink } from '../../src/link/store.js'
import { dataBlock, decide, exchange, follow, get, linkBank, post, provision, start, startLinkApp, startParams, submit, verifyPhone } from './helpers.js'

t.test('Deny at the bank ends in a page that says so, with a reference', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const search = await verifyPhone(la, await start(la, { db }), '+32470000301')
  for (const provider of ['ponto', 'enablebanking', 'saltedge']) {
    const found = await get(`${search.url}?q=Ordinary&country=BE`)
    const ref = [...found.html.matchAll(/(?:value="|consent\?i=)([a-z]+(?::|%3A)[^"&]+)/g)].map(m => decodeURIComponent(m[1] as string)).find(r => r.startsWith(`${provider}:`)) as string
    t.ok(ref, `${provider} offers the bank`)
    const consent = await get(`${search.url.replace(/search$/, 'consent')}?i=${encodeURIComponent(ref)}`)
    t.match(consent.html, new RegExp(`Connection through ${provider === 'ponto' ? 'Ponto' : provider === 'saltedge' ? 'Salt Edge' : 'Enable Banking'}`))
    const toBank = await submit(consent, '/consent', { agree: 'yes' })
    const denied = await decide(await get(toBank.location as string), 'deny')
    t.equal(denied.status, 403, provider)
    t.match(denied.html, /You did not allow access to your bank/)
    const reference = /Reference: (ref_[A-Za-z0-9_-]+)/.exec(denied.html)?.[1] as string
    const record = await la.redis.hgetall(la.app.services.keys.error(reference))
    t.equal(record.code, 'BSB_LINK_CONSENT_DENIED')
    t.equal(record.provider, provider)
  }
})

t.test('a provider return works once', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const search = await verifyPhone(la, await start(la, { db }), '+32470000302')
  const found = await get(`${search.url}?q=Ordinary`)
  const ref = /name="i" value="([^"]+)"/.exec(found.html)?.[1] as string
  const consent = await get(`${search.url.replace(/search$/, 'consent')}?i=${encodeURIComponent(ref)}`)
  const toBank = await submit(consent, '/consent', { agree: 'yes' })
  const bank = await get(toBank.location as string)
  const { action, hidden } = (await import('./helpers.js')).formOf(bank)
  const back = await post(action, { ...hidden, decision: 'approve' })
  const first = await follow(back)
  t.match(first.html, /Your bank is connected/)
  const replay = await get(back.location as string)
  t.equal(replay.status, 410, 'the same return again is refused')
})

t.test('reconnect: checked against the client, the link is updated in place, only success is posted', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const client = await exchange(la, db, await linkBank(la, db, { phone: '+32470000303' }))
  const before = await readLink(la.app.services, db, client.clientId)
  t.equal(before?.provider, 'ponto')
  for (const mode of ['reconnect', 'updateCredentials']) {
    const consent = await start(la, { mode, clientId: client.clientId, accessToken: client.accessToken })
    t.match(consent.url, /\/consent$/, `${mode}: no phone (already verified), no search: straight to the link's bank`)
    t.match(consent.html, /Allow access to Sandbox Ordinary Bank/)
    t.notMatch(consent.html, /Choose another bank/)
    const toBank = await submit(consent, '/consent', { agree: 'yes' })
    const done = await decide(await get(toBank.location as string), 'approve')
    t.match(done.html, /Your bank connection is updated/)
    const events = dataBlock(done).events ?? []
    t.same(events.map(e => e.event), ['success'], 'no exchange token on reconnect')
    t.same(Object.keys(events[0]?.data).sort(), ['auto_sync', 'expiring_synchronization_date', 'name', 'provider_type'])
    const after = await readLink(la.app.services, db, client.clientId)
    t.equal(after?.provider, 'ponto')
    t.equal(after?.institutionId, before?.institutionId)
    t.not(JSON.stringify(after?.connection), JSON.stringify(before?.connection), 'new provider tokens stored on the same client')
  }
  t.equal((await la.app.services.clients.listForDb(db)).length, 1, 'still one client')
})

t.test('reconnect with a wrong or missing access token is refused', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const client = await exchange(la, db, await linkBank(la, db, { phone: '+32470000304' }))
  for (const accessToken of ['wrong-token-wrong-token', undefined]) {
    const page = await follow(await post(`${la.base}/link/start`, startParams({ mode: 'reconnect', clientId: client.clientId, accessToken })))
    t.equal(page.status, 403)
    t.match(page.html, /This bank connection could not be verified/)
  }
  const other = await follow(await post(`${la.base}/link/start`, startParams({ db: randomUUID(), mode: 'reconnect', clientId: client.clientId, accessToken: client.accessToken })))
  t.equal(other.status, 403, 'a client of another database')
  la.clock.offset += 2 * 3_600_000
  const expired = await follow(await post(`${la.base}/link/start`, startParams({ mode: 'reconnect', clientId: client.clientId, accessToken: client.accessToken })))
  t.equal(expired.status, 403, 'an expired access token')
})

t.test('mode none posts success with the current link fields and asks nothing', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const client = await exchange(la, db, await linkBank(la, db, { phone: '+32470000305' }))
  const done = await start(la, { mode: 'none', clientId: client.clientId, accessToken: client.accessToken, serverVersion: '15.0' })
  t.match(done.url, /\/done$/)
  const events = dataBlock(done).events ?? []
  t.same(events.map(e => e.event), ['success'])
  t.same(Object.keys(events[0]?.data).sort(), ['auto_sync', 'name', 'provider_type'], 'no expiring_synchronization_date before Odoo 16')
})

t.test('a provider failure when starting the consent ends in its own page with a reference', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const search = await verifyPhone(la, await start(la, { db }), '+32470000306')
  const found = await get(`${search.url}?q=Ordinary`)
  const ref = /name="i" value="([^"]+)"/.exec(found.html)?.[1] as string
  const consent = await get(`${search.url.replace(/search$/, 'consent')}?i=${encodeURIComponent(ref)}`)
  const { ProviderError } = await import('../../providers/errors.js')
  const adapter = la.app.services.providers.get('ponto')?.adapter as { startConsent: unknown }
  const original = adapter.startConsent
  adapter.startConsent = async () => { throw new ProviderError({ provider: 'ponto', kind: 'provider_down', message: 'HTTP 503', providerCode: 'service_unavailable' }) }
  t.teardown(() => { adapter.startConsent = original })
  const page = await submit(consent, '/consent', { agree: 'yes' })
  t.equal(page.status, 502)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.html, /Your bank or its connection provider is not reachable/)
  const reference = /Reference: (ref_[A-Za-z0-9_-]+)/.exec(page.html)?.[1] as string
  t.equal((await la.redis.hgetall(la.app.services.keys.error(reference))).provider_code, 'service_unavailable')
})
