/**
 * Enable Banking consent lifecycle against the sandbox over loopback: institutions, start → consent
 * page → approve/deny → completeConsent, MFA code, re-link, consent expiry, revoke.
 */
import t from 'tap'
import { request } from 'undici'
import { SANDBOX_MFA_CODE } from '../../../providers/sandbox-kit/banks.js'
import { catchError, clickConsent, DAY, institution, isoDay, link, PSU, REDIRECT, startHarness } from './helpers.js'

t.test('institutions: the sandbox banks with native flags', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const fi = await h.adapter.listInstitutions('FI')
  t.equal(fi.length, 7)
  const by = (name: string) => fi.find(i => i.name === name)
  t.same(by('Sandbox Ordinary Bank'), {
    id: 'Sandbox Ordinary Bank|FI', provider: 'enablebanking', name: 'Sandbox Ordinary Bank', country: 'FI', bic: 'ORDIFISB',
    logoUrl: `${h.baseUrl}/brands/FI/Sandbox%20Ordinary%20Bank/`, beta: false, historyDays: 730, refreshPolicy: 'automatic', mfa: false, consentDays: 180
  })
  t.equal(by('Sandbox Beta Bank')?.beta, true)
  t.equal(by('Sandbox MFA Bank')?.mfa, true)
  t.equal(by('Sandbox Manual Sync Bank')?.refreshPolicy, 'manual_only')
  t.equal(by('Sandbox Daily Refresh Bank')?.refreshPolicy, 'once_per_day')
  t.equal(by('Sandbox Three Months Bank')?.historyDays, 90)
  t.equal(by('Sandbox MFA Bank')?.consentDays, 90)
  for (const c of ['SE', 'BE', 'NO', 'DK', 'DE', 'NL', 'FR', 'ES', 'IT']) t.equal((await h.adapter.listInstitutions(c)).length, 7, c)
  t.equal((await h.adapter.listInstitutions('US')).length, 0)
  t.equal((await h.adapter.listInstitutions()).length, 70)
  const err = await catchError(h.adapter.listInstitutions('fin'))
  t.equal(err.kind, 'invalid_request')
})

t.test('full consent flow: page with Approve/Deny, redirect with code and state, session with accounts', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const institutionId = institution('ordinary', 'SE')
  const start = await h.adapter.startConsent({ institutionId, redirectUri: REDIRECT, state: 'st-123', lang: 'sv-SE', userEmail: null, psu: PSU, existing: null })
  t.match(start.url, new RegExp(`^${h.baseUrl}/ais/start\\?sessionid=[0-9a-f-]{36}&locale=SE$`))
  t.equal(start.pending.state, 'st-123')
  const click = await clickConsent(start.url, 'approve')
  t.match(click.html, /<button type="submit" name="decision" value="approve">Approve<\/button>/)
  t.match(click.html, /<button type="submit" name="decision" value="deny">Deny<\/button>/)
  t.notMatch(click.html, /one-time-code/)
  t.equal(click.status, 302)
  t.ok(click.location?.startsWith(`${REDIRECT}?`))
  t.same(Object.keys(click.query).sort(), ['code', 'state'])
  t.equal(click.query.state, 'st-123')
  const conn = await h.adapter.completeConsent({ institutionId, redirectUri: REDIRECT, pending: start.pending, callback: click.query, existing: null })
  t.equal(conn.provider, 'enablebanking')
  t.equal(conn.institutionId, institutionId)
  t.type(conn.secrets.sessionId, 'string')
  const { accounts } = await h.adapter.listAccounts(conn, PSU)
  t.equal(accounts.length, 2)
  for (const a of accounts) {
    t.equal(a.currency, 'SEK')
    t.match(a.accountNumber, /^SE\d{22}$/)
    t.match(a.balance, /^-?\d+\.\d{2}$/)
    t.not(a.id, a.providerAccountId, 'id is the identification hash, not the session uid')
    t.equal(a.consentExpiresAt, isoDay(h.clock.now() + 180 * DAY - 60_000))
  }
  t.same(accounts.map(a => a.name), ['Current account', 'Savings account'])
  // The code is single use.
  const again = await catchError(h.adapter.completeConsent({ institutionId, redirectUri: REDIRECT, pending: start.pending, callback: click.query, existing: null }))
  t.equal(again.kind, 'reauth_required')
  t.equal(again.providerCode, 'ALREADY_AUTHORIZED')
})

t.test('deny redirects with error=access_denied and the state; completeConsent refuses', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const institutionId = institution('ordinary', 'BE')
  const start = await h.adapter.startConsent({ institutionId, redirectUri: `${REDIRECT}?tenant=7`, state: 'st-deny', lang: 'fr', userEmail: null, psu: null, existing: null })
  const click = await clickConsent(start.url, 'deny')
  t.equal(click.status, 302)
  t.same(click.query, { tenant: '7', state: 'st-deny', error: 'access_denied', error_description: 'The user cancelled the authorisation' })
  const err = await catchError(h.adapter.completeConsent({ institutionId, redirectUri: REDIRECT, pending: start.pending, callback: click.query, existing: null }))
  t.equal(err.kind, 'user_action_required')
  t.equal(err.providerCode, 'access_denied')
  // The page cannot be used twice.
  const page = await request(start.url)
  t.equal(page.statusCode, 410)
  await page.body.dump()
})

t.test('MFA bank: the one-time code field, wrong code refused, right code accepted', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const institutionId = institution('mfa')
  const start = await h.adapter.startConsent({ institutionId, redirectUri: REDIRECT, state: 'st-mfa', lang: 'fi', userEmail: null, psu: PSU, existing: null })
  const wrong = await clickConsent(start.url, 'approve', '000000')
  t.match(wrong.html, /autocomplete="one-time-code"/)
  t.equal(wrong.status, 400)
  t.equal(wrong.location, null)
  t.match(wrong.html, /The one-time code is not correct/)
  const right = await clickConsent(start.url, 'approve', SANDBOX_MFA_CODE)
  t.equal(right.status, 302)
  const conn = await h.adapter.completeConsent({ institutionId, redirectUri: REDIRECT, pending: start.pending, callback: right.query, existing: null })
  t.equal((await h.adapter.listAccounts(conn, PSU)).accounts.length, 2)
})

t.test('a callback whose state differs from the started consent is refused', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const institutionId = institution('ordinary')
  const start = await h.adapter.startConsent({ institutionId, redirectUri: REDIRECT, state: 'st-a', lang: 'en', userEmail: null, psu: null, existing: null })
  const click = await clickConsent(start.url, 'approve')
  const err = await catchError(h.adapter.completeConsent({ institutionId, redirectUri: REDIRECT, pending: start.pending, callback: { ...click.query, state: 'st-b' }, existing: null }))
  t.equal(err.kind, 'invalid_request')
  t.equal(err.providerCode, 'state_mismatch')
})

t.test('unknown institutions and bad ids are refused before calling /auth', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const base = { redirectUri: REDIRECT, state: 's', lang: 'en', userEmail: null, psu: null, existing: null }
  t.equal((await catchError(h.adapter.startConsent({ ...base, institutionId: 'Nope Bank|FI' }))).kind, 'invalid_request')
  t.equal((await catchError(h.adapter.startConsent({ ...base, institutionId: 'no-country' }))).kind, 'invalid_request')
  t.equal(h.hits.filter(x => x.path.endsWith('/auth')).length, 0)
})

t.test('re-link: new session, new uids, same account ids; the old session is closed', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const institutionId = institution('ordinary', 'FI')
  const first = await link(h, institutionId)
  const a1 = (await h.adapter.listAccounts(first, PSU)).accounts
  const second = await link(h, institutionId, { existing: first })
  t.not(second.secrets.sessionId, first.secrets.sessionId)
  const a2 = (await h.adapter.listAccounts(second, PSU)).accounts
  t.same(a2.map(a => a.id), a1.map(a => a.id), 'identification_hash is stable across sessions')
  t.notSame(a2.map(a => a.providerAccountId), a1.map(a => a.providerAccountId), 'uids are per session')
  const err = await catchError(h.adapter.listAccounts(first, PSU))
  t.equal(err.kind, 'reauth_required')
  t.equal(err.providerCode, 'SESSION_CLOSED')
  // A broker account saved before the re-link still syncs: the adapter uses the new session's uid.
  const { txs } = await (async () => {
    const out = []
    for await (const p of h.adapter.syncTransactions(second, { account: a1[0]!, fromDate: isoDay(h.clock.now() - 10 * DAY), toDate: isoDay(h.clock.now()), syncState: null, userPresent: true, psu: PSU })) out.push(...p.upserts)
    return { txs: out }
  })()
  t.ok(txs.length > 0)
})

t.test('consent expiry: access.valid_until, then EXPIRED_SESSION once the clock passes it', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const conn = await link(h, institution('shallow', 'BE'))
  const expiry = await h.adapter.consentExpiry(conn)
  t.equal(expiry, isoDay(h.clock.now() + 90 * DAY - 60_000))
  const { accounts } = await h.adapter.listAccounts(conn, PSU)
  h.clock.advance(91 * DAY)
  t.equal(await h.adapter.consentExpiry(conn), expiry, 'an expired session still tells when it ended')
  const err = await catchError(h.adapter.listAccounts(conn, PSU))
  t.equal(err.kind, 'reauth_required')
  const syncErr = await catchError((async () => {
    for await (const _ of h.adapter.syncTransactions(conn, { account: accounts[0]!, fromDate: isoDay(h.clock.now() - 5 * DAY), toDate: isoDay(h.clock.now()), syncState: null, userPresent: true, psu: PSU })) { /* drain */ }
  })())
  t.equal(syncErr.kind, 'reauth_required')
  t.equal(syncErr.providerCode, 'EXPIRED_SESSION')
  t.equal(syncErr.httpStatus, 401)
  t.equal((await catchError(h.adapter.refresh(conn, { userPresent: false, psu: null, account: null }))).kind, 'reauth_required')
})

t.test('revoke closes the session and is idempotent', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const conn = await link(h, institution('beta', 'FI'))
  t.same(await h.adapter.refresh(conn, { userPresent: true, psu: PSU, account: null }), { status: 'done' })
  await h.adapter.revoke(conn)
  await h.adapter.revoke(conn)
  await h.adapter.revoke({ provider: 'enablebanking', institutionId: 'x|FI', secrets: {} })
  t.equal(h.hits.filter(x => x.method === 'DELETE').length, 2)
  t.equal((await catchError(h.adapter.consentExpiry(conn))).kind, 'reauth_required')
  // A session the user revoked at the bank reads as REVOKED_SESSION on data calls.
  const other = await link(h, institution('ordinary', 'FI'))
  const { accounts } = await h.adapter.listAccounts(other, PSU)
  const res = await request(`${h.baseUrl}/_control/sessions/revoke`, { method: 'POST', body: JSON.stringify({ session_id: other.secrets.sessionId }), headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 200)
  await res.body.dump()
  const err = await catchError((async () => {
    for await (const _ of h.adapter.syncTransactions(other, { account: accounts[0]!, fromDate: isoDay(h.clock.now() - 5 * DAY), toDate: isoDay(h.clock.now()), syncState: null, userPresent: false, psu: null })) { /* drain */ }
  })())
  t.equal(err.kind, 'reauth_required')
  t.equal(err.providerCode, 'REVOKED_SESSION')
  await h.adapter.revoke(other)
})
