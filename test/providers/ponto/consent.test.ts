/**
 * Ponto consent over real loopback HTTP: institutions, the OAuth2 + PKCE flow through the hosted
 * page (approve, deny, MFA code), token rotation, accounts, consent expiry and revocation.
 */
import t from 'tap'
import { request } from 'undici'
import { isProviderError } from '../../../providers/errors.js'
import { readSecrets } from '../../../providers/ponto/auth.js'
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../../../providers/ponto/sandbox-keys.js'
import { REDIRECT_URI, adapterFor, bankName, connect, institutionOf, openPage, startSandbox, submit } from './helper.js'

const basic = `Basic ${Buffer.from(`${SANDBOX_CLIENT_ID}:${SANDBOX_CLIENT_SECRET}`).toString('base64')}`

t.test('institutions: the seven sandbox banks per country, in Ponto terms', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  for (const country of ['BE', 'NL', 'FR']) {
    const list = await adapter.listInstitutions(country)
    t.equal(list.length, 7, `${country} has 7 banks`)
    t.ok(list.every(i => i.country === country && i.provider === 'ponto'))
  }
  const be = await adapter.listInstitutions('BE')
  const by = (b: string) => be.find(i => i.name === bankName(b))
  t.equal(by('beta')?.beta, true, 'beta bank is status beta')
  t.equal(by('ordinary')?.beta, false)
  t.equal(by('ordinary')?.bic, 'ORDIBESB')
  t.equal(by('shallow')?.historyDays, 90)
  t.equal(by('manual')?.refreshPolicy, 'manual_only')
  t.equal(by('daily')?.refreshPolicy, 'once_per_day')
  t.equal(by('mfa')?.mfa, true)
  t.equal(by('ordinary')?.consentDays, 90)
  t.equal((await adapter.listInstitutions()).length, 35, 'all five countries, paged past the default limit of 10')
})

t.test('full consent: page with Approve/Deny, redirect with code and state, tokens, accounts', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const institution = await institutionOf(adapter, 'ordinary')
  const start = await adapter.startConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, state: 'st-1', lang: 'en', userEmail: null, psu: null, existing: null })
  const url = new URL(start.url)
  t.equal(url.pathname, '/sandbox/ponto/oauth2/auth')
  t.equal(url.searchParams.get('response_type'), 'code')
  t.equal(url.searchParams.get('scope'), 'ai pi offline_access name')
  t.equal(url.searchParams.get('code_challenge_method'), 'S256')
  t.match(url.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/)
  t.ok(url.searchParams.get('onboarding_details_id'), 'bank preselected through onboarding details')
  t.equal(url.searchParams.get('state'), 'st-1')
  const page = await openPage(start.url)
  t.equal(page.status, 200)
  t.match(page.html, /Sandbox Ordinary Bank/)
  t.match(page.html, />Approve</)
  t.match(page.html, />Deny</)
  t.notMatch(page.html, /one-time-code/, 'no code field for an ordinary bank')
  const done = await submit(page, { decision: 'approve' })
  t.equal(done.status, 302)
  t.ok(done.location?.startsWith(REDIRECT_URI))
  t.equal(done.query.state, 'st-1')
  t.ok(done.query.code)
  const conn = await adapter.completeConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, pending: start.pending, callback: done.query, existing: null })
  const secrets = readSecrets(conn.secrets)
  t.equal(conn.provider, 'ponto')
  t.equal(Date.parse(secrets.expires_at) - clock.now(), 1799_000, 'access token lives 1799 s')
  t.ok(secrets.organization_id)
  const { accounts, secrets: rotated } = await adapter.listAccounts(conn, null)
  t.equal(rotated, undefined, 'no rotation while the token is fresh')
  t.equal(accounts.length, 2)
  t.ok(accounts.every(a => a.currency === 'EUR' && a.bic === 'ORDIBESB' && /^BE\d{14}$/.test(a.accountNumber ?? '')))
  t.equal(accounts[0]?.consentExpiresAt, new Date(clock.now() + 90 * 86_400_000).toISOString().slice(0, 10))
  t.match(accounts[0]?.balance, /^-?\d+\.\d{2}$/)
  t.equal(await adapter.consentExpiry(conn), accounts[0]?.consentExpiresAt)
  const again = await adapter.completeConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, pending: start.pending, callback: done.query, existing: null }).catch(e => e)
  t.ok(isProviderError(again) && again.providerCode === 'invalid_grant', 'a code works once')
})

t.test('deny redirects with the OAuth2 error and the state', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const institution = await institutionOf(adapter, 'ordinary', 'NL')
  const start = await adapter.startConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, state: 'st-2', lang: 'nl', userEmail: null, psu: null, existing: null })
  const done = await submit(await openPage(start.url), { decision: 'deny' })
  t.equal(done.status, 302)
  t.equal(done.query.error, 'access_denied')
  t.equal(done.query.state, 'st-2')
  t.notOk(done.query.code)
  const err = await adapter.completeConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, pending: start.pending, callback: done.query, existing: null }).catch(e => e)
  t.ok(isProviderError(err))
  t.equal(err.providerCode, 'access_denied')
  t.equal(err.kind, 'invalid_request')
})

t.test('MFA bank asks for the one-time code: wrong refused, right accepted', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const institution = await institutionOf(adapter, 'mfa', 'FR')
  const start = await adapter.startConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, state: 'st-3', lang: 'fr', userEmail: null, psu: null, existing: null })
  const page = await openPage(start.url)
  t.match(page.html, /one-time-code/)
  const wrong = await submit(page, { decision: 'approve', otp: '000000' })
  t.equal(wrong.location, null, 'no redirect on a wrong code')
  t.match(wrong.html, /role="alert"/)
  const right = await submit(page, { decision: 'approve', otp: '123456' })
  t.equal(right.status, 302)
  t.ok(right.query.code)
  const conn = await adapter.completeConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, pending: start.pending, callback: right.query, existing: null })
  const { accounts } = await adapter.listAccounts(conn, null)
  t.ok(accounts.every(a => a.bic === 'MFABFRSB' && a.accountNumber?.startsWith('FR')))
})

t.test('PKCE: a wrong verifier is refused by the token endpoint', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const institution = await institutionOf(adapter, 'ordinary')
  const start = await adapter.startConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, state: 's', lang: 'en', userEmail: null, psu: null, existing: null })
  const done = await submit(await openPage(start.url), { decision: 'approve' })
  const err = await adapter.completeConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, pending: { ...start.pending, code_verifier: 'x'.repeat(43) }, callback: done.query, existing: null }).catch(e => e)
  t.ok(isProviderError(err))
  t.equal(err.providerCode, 'invalid_grant')
  t.equal(err.httpStatus, 400)
})

t.test('tokens: refreshed when expired, refresh tokens rotate, the old one dies', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection } = await connect(adapter, 'ordinary')
  const before = readSecrets(connection.secrets)
  clock.advance(1800_000)
  const { accounts, secrets } = await adapter.listAccounts(connection, null)
  t.equal(accounts.length, 2)
  t.ok(secrets, 'rotated secrets handed back')
  const after = readSecrets(secrets ?? {})
  t.not(after.refresh_token, before.refresh_token)
  t.not(after.access_token, before.access_token)
  const reuse = await request(`${baseUrl}/ponto-connect/oauth2/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.refresh_token, client_id: SANDBOX_CLIENT_ID }).toString() })
  t.equal(reuse.statusCode, 400)
  t.equal((await reuse.body.json() as { error: string }).error, 'invalid_grant')
  const fresh = adapterFor(baseUrl, clock).adapter
  const err = await fresh.listAccounts(connection, null).catch(e => e)
  t.ok(isProviderError(err))
  t.equal(err.kind, 'reauth_required', 'a spent refresh token means re-consent')
  const still = await fresh.listAccounts({ ...connection, secrets: secrets ?? {} }, null)
  t.equal(still.accounts.length, 2, 'the rotated secrets keep working')
})

t.test('revoke is idempotent and ends access', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection } = await connect(adapter, 'ordinary', 'FR')
  await adapter.revoke(connection)
  await adapter.revoke(connection)
  const err = await adapter.listAccounts(connection, null).catch(e => e)
  t.ok(isProviderError(err))
  t.equal(err.kind, 'reauth_required')
})

t.test('wrong client secret is a configuration error, not a user one', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const good = adapterFor(baseUrl, clock).adapter
  const bad = adapterFor(baseUrl, clock, { creds: { clientSecret: 'wrong' } }).adapter
  const institution = await institutionOf(good, 'ordinary')
  const err = await bad.startConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, state: 's', lang: 'en', userEmail: null, psu: null, existing: null }).catch(e => e)
  t.ok(isProviderError(err))
  t.equal(err.kind, 'misconfigured')
  t.equal(err.providerCode, 'invalid_client')
  t.equal(err.httpStatus, 401)
  t.ok(err.providerRequestId, 'ibanity-request-id kept')
})
