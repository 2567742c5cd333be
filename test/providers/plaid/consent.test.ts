/** Hosted Link consent end to end: approve, deny, the MFA bank, update mode, unfinished sessions. */
import t from 'tap'
import { SANDBOX_MFA_CODE } from '../../../providers/sandbox-kit/banks.js'
import { CA_ORDINARY, callbackOf, getPage, linkItem, REDIRECT, startLink, startSandbox, submitConsent, US } from './helpers.js'

t.test('approve: page, redirect with state, exchange, two accounts', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const start = await startLink(adapter, US.ordinary)
  t.match(start.url, /^http:\/\/127\.0\.0\.1:\d+\/sandbox\/plaid\/hl\/[0-9a-f]{32}$/, 'hosted_link_url from /link/token/create')
  t.equal(start.pending.mode, 'create')
  t.match(start.pending.link_token, /^link-sandbox-/)
  const page = await getPage(start.url)
  t.equal(page.status, 200)
  t.match(page.html, /value="approve">Approve</)
  t.match(page.html, /value="deny">Deny</)
  t.match(page.html, /Sandbox Ordinary Bank/)
  t.notMatch(page.html, /name="otp"/, 'no code field for a bank without MFA')

  const done = await submitConsent(start.url, { decision: 'approve' })
  t.equal(done.status, 303)
  t.ok(done.location?.startsWith(`${REDIRECT}?`), 'back to completion_redirect_uri')
  const callback = callbackOf(done.location as string)
  t.same(callback, { state: 'state-abc-123' }, 'the broker state rides on the completion URI; Plaid adds nothing else')

  const conn = await adapter.completeConsent({ institutionId: US.ordinary, redirectUri: REDIRECT, pending: start.pending, callback, existing: null })
  t.equal(conn.provider, 'plaid')
  t.equal(conn.institutionId, US.ordinary)
  t.match(conn.secrets, { access_token: /^access-sandbox-/, item_id: /^[A-Za-z0-9]{37}$/ })
  t.same(Object.keys(conn.secrets).sort(), ['access_token', 'item_id'], 'only Plaid tokens are secrets; the cursor is sync state')

  const { accounts } = await adapter.listAccounts(conn, null)
  t.equal(accounts.length, 2)
  t.same(accounts.map(a => a.currency), ['USD', 'USD'])
  t.same(accounts.map(a => a.name), ['Business Checking', 'Business Savings'])
  t.not(accounts[0]?.accountNumber, accounts[1]?.accountNumber, 'masks differ')
  t.match(accounts[0]?.balance, /^-?\d+\.\d{2}$/)
  t.equal(accounts[0]?.consentExpiresAt, null, 'ordinary US Item: consent does not expire')

  const again = await submitConsent(start.url, { decision: 'approve' })
  t.equal(again.status, 400, 'a finished Link session cannot be replayed')
  await t.rejects(adapter.completeConsent({ institutionId: US.ordinary, redirectUri: REDIRECT, pending: start.pending, callback, existing: null }), { name: 'ProviderError', providerCode: 'INVALID_PUBLIC_TOKEN' }, 'a public token is exchanged once')
})

t.test('deny: redirect, then completeConsent reports the exit', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const start = await startLink(adapter, US.ordinary)
  const done = await submitConsent(start.url, { decision: 'deny' })
  t.equal(done.status, 303)
  await t.rejects(
    adapter.completeConsent({ institutionId: US.ordinary, redirectUri: REDIRECT, pending: start.pending, callback: callbackOf(done.location as string), existing: null }),
    { name: 'ProviderError', kind: 'reauth_required', providerCode: 'exited:requires_credentials' }
  )
})

t.test('unfinished session: not ready; expired session: page refuses', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const start = await startLink(adapter, US.ordinary)
  await getPage(start.url)
  await t.rejects(adapter.completeConsent({ institutionId: US.ordinary, redirectUri: REDIRECT, pending: start.pending, callback: {}, existing: null }), { name: 'ProviderError', kind: 'not_ready', providerCode: 'LINK_SESSION_NOT_FINISHED' })
  h.clock.t += 4 * 60 * 60 * 1000 + 1
  t.equal((await getPage(start.url)).status, 400, 'link tokens live 4 hours')
  await t.rejects(adapter.completeConsent({ institutionId: US.ordinary, redirectUri: REDIRECT, pending: {}, callback: {}, existing: null }), { name: 'ProviderError', kind: 'invalid_request' })
})

t.test('MFA bank: wrong code refused, right code accepted, 365-day consent', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const start = await startLink(adapter, US.mfa)
  t.match((await getPage(start.url)).html, /name="otp"/)
  const wrong = await submitConsent(start.url, { decision: 'approve', otp: '000000' })
  t.equal(wrong.status, 400)
  t.equal(wrong.location, null, 'no redirect on a wrong code')
  t.match(wrong.html, /role="alert"/)
  const missing = await submitConsent(start.url, { decision: 'approve' })
  t.equal(missing.status, 400)
  const right = await submitConsent(start.url, { decision: 'approve', otp: SANDBOX_MFA_CODE })
  t.equal(right.status, 303)
  const conn = await adapter.completeConsent({ institutionId: US.mfa, redirectUri: REDIRECT, pending: start.pending, callback: callbackOf(right.location as string), existing: null })
  t.equal(await adapter.consentExpiry(conn), '2026-03-10', 'consent_expiration_time from /item/get')
  const { accounts } = await adapter.listAccounts(conn, null)
  t.equal(accounts[0]?.consentExpiresAt, '2026-03-10')

  const locked = await startLink(adapter, US.mfa, null, 'state-2')
  for (let i = 0; i < 2; i++) t.equal((await submitConsent(locked.url, { decision: 'approve', otp: '1' })).status, 400)
  const third = await submitConsent(locked.url, { decision: 'approve', otp: '2' })
  t.equal(third.status, 303, 'the third wrong code ends the session')
  await t.rejects(adapter.completeConsent({ institutionId: US.mfa, redirectUri: REDIRECT, pending: locked.pending, callback: callbackOf(third.location as string), existing: null }), { name: 'ProviderError', kind: 'reauth_required', providerCode: 'INVALID_MFA' })
})

t.test('update mode repairs ITEM_LOGIN_REQUIRED and keeps the access_token', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await linkItem(adapter, US.ordinary)
  const reset = await h.api('/sandbox/item/reset_login', { access_token: conn.secrets.access_token })
  t.same(reset.body.reset_login, true)
  await t.rejects(adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'reauth_required', providerCode: 'ITEM_LOGIN_REQUIRED', httpStatus: 400, providerRequestId: /^[A-Za-z0-9]{15}$/ })
  const start = await startLink(adapter, US.ordinary, conn, 'state-update')
  t.equal(start.pending.mode, 'update')
  const done = await submitConsent(start.url, { decision: 'approve' })
  const repaired = await adapter.completeConsent({ institutionId: US.ordinary, redirectUri: REDIRECT, pending: start.pending, callback: callbackOf(done.location as string), existing: conn })
  t.same(repaired.secrets, conn.secrets, 'update mode does not change the access_token')
  t.equal((await adapter.listAccounts(repaired, null)).accounts.length, 2)
})

t.test('Canadian bank: CAD accounts', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await linkItem(adapter, CA_ORDINARY)
  t.same((await adapter.listAccounts(conn, null)).accounts.map(a => a.currency), ['CAD', 'CAD'])
})
