/** FastLink consent flow against the sandbox over loopback: approve, deny, MFA, edit, expiry, revoke. */
import t from 'tap'
import { request } from 'undici'
import { ProviderError } from '../../../providers/errors.js'
import { GB, REDIRECT_URI, STATE, US, link, runFastLink, startSandbox } from './harness.js'

t.test('approve: FastLink page, redirect with FastLink params and state, completeConsent', async t => {
  const h = await startSandbox(t)
  const out = await runFastLink(h, US.ordinary, 'approve')
  const launch = new URL(out.start.url)
  t.equal(launch.origin + launch.pathname, `${h.baseUrl}/fastlink`)
  t.match(launch.searchParams.get('accessToken'), /^Bearer [A-Za-z0-9_-]+$/)
  const extra = new URLSearchParams(launch.searchParams.get('extraParams') ?? '')
  t.same({ configName: extra.get('configName'), flow: extra.get('flow'), providerId: extra.get('providerId') }, { configName: 'BankSyncAggregation', flow: 'add', providerId: US.ordinary })
  t.equal(new URL(extra.get('callback') ?? '').searchParams.get('state'), STATE)
  t.equal(out.pageStatus, 200)
  t.match(out.pageHtml, /<button type="submit" name="decision" value="approve">Approve<\/button>/)
  t.match(out.pageHtml, /value="deny">Deny</)
  t.match(out.pageHtml, /Sandbox Ordinary Bank/)
  t.notMatch(out.pageHtml, /one-time code/i)
  t.equal(out.finalStatus, 302)
  t.match(out.callback, { state: STATE, lang: 'en', status: 'SUCCESS', providerId: US.ordinary, providerAccountId: /^\d+$/, requestId: /.+/ })
  const pendingLogin = out.start.pending.loginName as string
  t.match(pendingLogin, /^bsb[0-9a-f]{32}$/, 'a fresh unguessable Yodlee user per link')
  const conn = await h.adapter.completeConsent({ institutionId: US.ordinary, redirectUri: REDIRECT_URI, pending: out.start.pending, callback: out.callback ?? {}, existing: null })
  t.same(conn, { provider: 'yodlee', institutionId: US.ordinary, secrets: { loginName: pendingLogin, providerAccountId: out.callback?.providerAccountId } })
  const second = await runFastLink(h, US.ordinary, 'approve')
  t.not(second.start.pending.loginName, pendingLogin)
})

t.test('deny: FastLink exit params, completeConsent refuses', async t => {
  const h = await startSandbox(t)
  const out = await runFastLink(h, US.ordinary, 'deny')
  t.equal(out.finalStatus, 302)
  t.match(out.callback, { state: STATE, action: 'exit', status: 'USER_CLOSE_ACTION' })
  t.notOk(out.callback?.providerAccountId)
  await t.rejects(h.adapter.completeConsent({ institutionId: US.ordinary, redirectUri: REDIRECT_URI, pending: out.start.pending, callback: out.callback ?? {}, existing: null }),
    { name: 'ProviderError', kind: 'reauth_required', providerCode: 'USER_CLOSE_ACTION' })
})

t.test('MFA bank: wrong code refused on the page, right code accepted', async t => {
  const h = await startSandbox(t)
  const wrong = await runFastLink(h, US.mfa, 'approve', ['000000'])
  t.match(wrong.pageHtml, /One-time code/)
  t.equal(wrong.finalStatus, 400)
  t.equal(wrong.callback, null, 'no redirect on a wrong code')
  t.match(wrong.finalHtml, /role="alert">The one-time code is not correct/)
  const right = await runFastLink(h, US.mfa, 'approve', ['111111', '123456'])
  t.match(right.callback, { status: 'SUCCESS', providerId: US.mfa })
  const conn = await h.adapter.completeConsent({ institutionId: US.mfa, redirectUri: REDIRECT_URI, pending: right.start.pending, callback: right.callback ?? {}, existing: null })
  t.equal(conn.institutionId, US.mfa)
  const locked = await runFastLink(h, US.mfa, 'approve', ['1', '2', '3'])
  t.match(locked.callback, { status: 'FAILED', additionalStatus: 'INVALID_ADDL_INFO_PROVIDED' })
  await t.rejects(h.adapter.completeConsent({ institutionId: US.mfa, redirectUri: REDIRECT_URI, pending: locked.start.pending, callback: locked.callback ?? {}, existing: null }),
    { name: 'ProviderError', kind: 'reauth_required', providerCode: 'INVALID_ADDL_INFO_PROVIDED' })
})

t.test('a callback naming another user\'s providerAccount is refused by Yodlee (Y807)', async t => {
  const h = await startSandbox(t)
  const victim = await link(h, US.ordinary)
  const out = await runFastLink(h, US.ordinary, 'deny')
  const forged = { state: STATE, status: 'SUCCESS', providerAccountId: victim.secrets.providerAccountId as string, providerId: US.ordinary }
  await t.rejects(h.adapter.completeConsent({ institutionId: US.ordinary, redirectUri: REDIRECT_URI, pending: out.start.pending, callback: forged, existing: null }),
    { name: 'ProviderError', kind: 'reauth_required', providerCode: 'Y807' })
})

t.test('FastLink refuses a bad launch', async t => {
  const h = await startSandbox(t)
  const res = await request(`${h.baseUrl}/fastlink?accessToken=${encodeURIComponent('Bearer nope')}&extraParams=${encodeURIComponent('configName=x&flow=add&providerId=17001&callback=https://a.example/')}`)
  t.equal(res.statusCode, 401)
  t.match(await res.body.text(), /access token is missing, invalid or expired/)
  const stale = await request(`${h.baseUrl}/fastlink/decision`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'session=unknown&decision=approve' })
  t.equal(stale.statusCode, 400)
  await stale.body.dump()
})

t.test('GB Open Banking consent: expiry date, expiry turns into reauth, edit flow renews', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, GB.ordinary)
  const expiry = await h.adapter.consentExpiry(conn)
  t.equal(expiry, '2025-06-12', '90 days from 2025-03-14')
  const { accounts } = await h.adapter.listAccounts(conn, null)
  t.equal(accounts.length, 2)
  t.ok(accounts.every(a => a.consentExpiresAt === '2025-06-12' && a.currency === 'GBP'))
  t.equal(await h.adapter.consentExpiry(await link(h, US.ordinary)), null, 'credential-based links do not expire')

  h.clock.ms += 91 * 86_400_000
  await t.rejects(h.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'reauth_required', providerCode: 'CONSENT_EXPIRED' })
  const account = accounts[0]
  await t.rejects(async () => { for await (const _ of h.adapter.syncTransactions(conn, { account, fromDate: '2025-06-01', toDate: '2025-06-13', syncState: null, userPresent: false, psu: null })) { /* drain */ } },
    { name: 'ProviderError', kind: 'reauth_required', providerCode: 'CONSENT_EXPIRED' })

  const renew = await runFastLink(h, GB.ordinary, 'approve', [], conn)
  const extra = new URLSearchParams(new URL(renew.start.url).searchParams.get('extraParams') ?? '')
  t.same({ flow: extra.get('flow'), providerAccountId: extra.get('providerAccountId') }, { flow: 'edit', providerAccountId: conn.secrets.providerAccountId })
  t.equal(renew.start.pending.loginName, conn.secrets.loginName, 'the same Yodlee user')
  const renewed = await h.adapter.completeConsent({ institutionId: GB.ordinary, redirectUri: REDIRECT_URI, pending: renew.start.pending, callback: renew.callback ?? {}, existing: conn })
  t.same(renewed.secrets, conn.secrets)
  t.equal(await h.adapter.consentExpiry(renewed), '2025-09-11')
  t.equal((await h.adapter.listAccounts(renewed, null)).accounts.length, 2)
})

t.test('revoke deletes the providerAccount and is idempotent', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  await h.adapter.revoke(conn)
  t.equal(h.requests.filter(r => r.startsWith('DELETE /providerAccounts/')).length, 1)
  await h.adapter.revoke(conn)
  t.pass('second revoke succeeds (Y807 afterwards)')
  const err = await h.adapter.listAccounts(conn, null).catch((e: unknown) => e)
  t.ok(err instanceof ProviderError)
  t.match(err, { kind: 'reauth_required', providerCode: 'Y807', httpStatus: 400, providerRequestId: /^u\d+[0-9a-f]{6}u$/ })
})
