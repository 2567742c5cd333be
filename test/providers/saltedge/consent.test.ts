/**
 * Salt Edge consent over real loopback HTTP: Connect page with Approve/Deny, redirect with the
 * real params, completeConsent, the signed success callback, deny, the MFA bank, reconnect.
 */
import t from 'tap'
import { isProviderError } from '../../../providers/errors.js'
import { SANDBOX_MFA_CODE } from '../../../providers/sandbox-kit/banks.js'
import { REDIRECT_URI, adapterFor, connect, getPage, queryOf, rejection, startConsent, startReceiver, startSandbox, submitConsent } from './helpers.js'

t.test('full consent flow: page, approve, redirect, complete, callback', async t => {
  const hook = await startReceiver()
  const sb = await startSandbox({ webhookUrl: hook.url })
  t.teardown(async () => { await sb.close(); await hook.close() })
  const adapter = adapterFor(sb)

  const start = await startConsent(adapter, 'sandbox_ordinary_bank_be')
  t.match(start.url, new RegExp(`^${sb.base}/connect\\?token=`), 'connect_url points at the sandbox widget')
  t.ok(sb.hits.includes('POST /sandbox/saltedge/customers'), 'a customer is created first')
  t.ok(sb.hits.includes('POST /sandbox/saltedge/connections/connect'), 'then the v6 connect endpoint')

  const page = await getPage(start.url)
  t.equal(page.status, 200)
  t.match(page.html, /<button type="submit" name="decision" value="approve">Approve<\/button>/)
  t.match(page.html, /<button type="submit" name="decision" value="deny">Deny<\/button>/)
  t.match(page.html, /Sandbox Ordinary Bank/)
  t.notMatch(page.html, /One-time code/, 'no code field for a non-interactive provider')

  const done = await submitConsent(start.url, page.html, { decision: 'approve' })
  t.equal(done.status, 303)
  t.ok(done.location?.startsWith(REDIRECT_URI), 'back to the broker redirect URI')
  const q = queryOf(done.location as string)
  t.equal(q.state, 'state-abc-123', 'state carried in return_to')
  t.match(q.connection_id, /^\d{18,19}$/, 'Salt Edge appends connection_id (return_connection_id)')
  t.notOk('error_class' in q)

  const conn = await adapter.completeConsent({ institutionId: 'sandbox_ordinary_bank_be', redirectUri: REDIRECT_URI, pending: start.pending, callback: q, existing: null })
  t.equal(conn.provider, 'saltedge')
  t.equal(conn.secrets.connection_id, q.connection_id)
  t.equal(conn.secrets.customer_id, start.pending.customer_id)
  t.equal(conn.secrets.automatic_fetch, true)

  t.equal(hook.received.length, 1, 'one success callback')
  const cb = hook.received[0] as { headers: Record<string, string | string[] | undefined>, raw: string }
  const body = await (adapter.verifyWebhook as NonNullable<typeof adapter.verifyWebhook>)({ headers: cb.headers, rawBody: Buffer.from(cb.raw), url: hook.url })
  t.match(body, { data: { connection_id: q.connection_id, customer_id: start.pending.customer_id, stage: 'finish' }, meta: { version: '6' } })

  const again = await submitConsent(start.url, page.html, { decision: 'approve' })
  t.equal(again.status, 404, 'a Connect session is single-use')
})

t.test('a connection id of another customer is refused', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const first = await connect(adapter, 'sandbox_ordinary_bank_fr')
  const start = await startConsent(adapter, 'sandbox_ordinary_bank_fr')
  t.match(await rejection(adapter.completeConsent({ institutionId: 'sandbox_ordinary_bank_fr', redirectUri: REDIRECT_URI, pending: start.pending, callback: { connection_id: first.secrets.connection_id as string, state: 'x' }, existing: null })),
    { kind: 'invalid_request', providerCode: 'connection_mismatch' })
})

t.test('deny: redirect with error_class and a fail callback; complete maps it', async t => {
  const hook = await startReceiver()
  const sb = await startSandbox({ webhookUrl: hook.url })
  t.teardown(async () => { await sb.close(); await hook.close() })
  const adapter = adapterFor(sb)
  const start = await startConsent(adapter, 'sandbox_ordinary_bank_de')
  const page = await getPage(start.url)
  const done = await submitConsent(start.url, page.html, { decision: 'deny' })
  t.equal(done.status, 303)
  const q = queryOf(done.location as string)
  t.same({ state: q.state, error_class: q.error_class }, { state: 'state-abc-123', error_class: 'ProviderAccessNotGranted' })
  t.notOk('connection_id' in q)
  t.equal(hook.received.length, 1)
  t.match(JSON.parse((hook.received[0] as { raw: string }).raw), { data: { error_class: 'ProviderAccessNotGranted', stage: 'finish' } })
  const err = await adapter.completeConsent({ institutionId: 'sandbox_ordinary_bank_de', redirectUri: REDIRECT_URI, pending: start.pending, callback: q, existing: null }).catch(e => e)
  t.ok(isProviderError(err))
  t.match(err, { kind: 'reauth_required', providerCode: 'ProviderAccessNotGranted' })
})

t.test('MFA bank: the code field, a wrong code refused, the right one accepted', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const start = await startConsent(adapter, 'sandbox_mfa_bank_gb')
  const page = await getPage(start.url)
  t.match(page.html, /name="otp"/, 'one-time code field shown for the interactive provider')
  const wrong = await submitConsent(start.url, page.html, { decision: 'approve', otp: '000000' })
  t.equal(wrong.status, 422)
  t.equal(wrong.location, null, 'no redirect on a wrong code')
  t.match(wrong.html, /role="alert"/)
  const right = await submitConsent(start.url, wrong.html, { decision: 'approve', otp: SANDBOX_MFA_CODE })
  t.equal(right.status, 303)
  const conn = await adapter.completeConsent({ institutionId: 'sandbox_mfa_bank_gb', redirectUri: REDIRECT_URI, pending: start.pending, callback: queryOf(right.location as string), existing: null })
  t.match(conn.secrets.connection_id, /^\d+$/)
})

t.test('MFA bank: three wrong codes end the attempt with InvalidInteractiveCredentials', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const start = await startConsent(adapter, 'sandbox_mfa_bank_be')
  let html = (await getPage(start.url)).html
  let res = await submitConsent(start.url, html, { decision: 'approve', otp: '1' })
  html = res.html
  res = await submitConsent(start.url, html, { decision: 'approve', otp: '2' })
  res = await submitConsent(start.url, res.html, { decision: 'approve', otp: '3' })
  t.equal(res.status, 303)
  t.equal(queryOf(res.location as string).error_class, 'InvalidInteractiveCredentials')
})

t.test('reconnect keeps the connection and renews the consent', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_ordinary_bank_be')
  const before = await adapter.consentExpiry(conn)
  sb.clock.advance(30 * 86_400_000)
  const again = await connect(adapter, 'sandbox_ordinary_bank_be', { existing: conn })
  t.ok(sb.hits.some(h => h === `POST /sandbox/saltedge/connections/${conn.secrets.connection_id as string}/reconnect`), 'v6 reconnect endpoint')
  t.equal(again.secrets.connection_id, conn.secrets.connection_id)
  t.equal(again.secrets.customer_id, conn.secrets.customer_id)
  const after = await adapter.consentExpiry(again)
  t.ok(before !== null && after !== null && after > before, `consent renewed (${before} → ${after})`)
})

t.test('an expired Connect session shows 410; an unknown institution is invalid_request', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const start = await startConsent(adapter, 'sandbox_ordinary_bank_be')
  sb.clock.advance(61 * 60_000)
  t.equal((await getPage(start.url)).status, 410)
  t.match(await rejection(startConsent(adapter, 'no_such_bank_be')), { kind: 'invalid_request', providerCode: 'ProviderNotFound', httpStatus: 404 })
})
