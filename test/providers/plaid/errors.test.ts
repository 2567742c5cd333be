/** Error mapping against the sandbox: keys, rate limits, 5xx, not-ready, re-auth, the flaky and the manual banks. */
import t from 'tap'
import { MockAgent } from 'undici'
import { plaidModule } from '../../../providers/plaid/index.js'
import type { Account } from '../../../providers/types.js'
import { callbackOf, countingDispatcher, linkItem, quickItem, REDIRECT, startLink, startSandbox, submitConsent, syncAll, US } from './helpers.js'
import { isoDate } from '../../../providers/sandbox-kit/history.js'

const DAY = 86_400_000

t.test('client keys: headers or body; wrong keys get Plaid\'s INVALID_API_KEYS', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const creds = plaidModule.sandbox.credentials(h.baseUrl)
  const inBody = await h.api('/institutions/get', { client_id: creds.clientId, secret: creds.secret, count: 2, offset: 0, country_codes: ['US'] }, {})
  t.equal(inBody.status, 200, 'client_id/secret in the body are accepted')
  t.equal(inBody.body.institutions.length, 2)
  t.match(inBody.body.request_id, /^[A-Za-z0-9]{15}$/)
  const wrong = await h.api('/institutions/get', { client_id: creds.clientId, secret: 'not-the-secret', count: 2, offset: 0, country_codes: ['US'] }, {})
  t.equal(wrong.status, 400)
  t.match(wrong.body, { error_type: 'INVALID_INPUT', error_code: 'INVALID_API_KEYS', error_message: 'invalid client_id or secret provided', display_message: null, request_id: /^[A-Za-z0-9]{15}$/ })
  const missing = await h.api('/institutions/get', { count: 2, offset: 0, country_codes: ['US'] }, {})
  t.match(missing, { status: 400, body: { error_type: 'INVALID_REQUEST', error_code: 'MISSING_FIELDS' } })
  const garbage = await h.api('/accounts/get', {}, { 'content-type': 'text/plain' })
  t.match(garbage.body, { error_code: 'INVALID_BODY' })

  const adapter = h.adapter({ creds: { secret: 'wrongsecret000000000' } })
  await t.rejects(adapter.listInstitutions('US'), { name: 'ProviderError', kind: 'misconfigured', providerCode: 'INVALID_API_KEYS', httpStatus: 400, providerRequestId: /^[A-Za-z0-9]{15}$/ })
})

t.test('re-auth: ITEM_LOGIN_REQUIRED, expired consent, removed Item', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await quickItem(h, US.ordinary)
  await h.api('/sandbox/item/reset_login', { access_token: conn.secrets.access_token })
  await t.rejects(adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'reauth_required', providerCode: 'ITEM_LOGIN_REQUIRED' })
  t.equal(await adapter.consentExpiry(conn), null, '/item/get still answers for a broken Item')

  const mfa = await quickItem(h, US.mfa)
  const account = (await adapter.listAccounts(mfa, null)).accounts[0] as Account
  h.clock.t += 366 * DAY
  const err = await syncAll(adapter, mfa, account, null).catch((e: unknown) => e)
  t.match(err, { name: 'ProviderError', kind: 'reauth_required', providerCode: 'ITEM_LOGIN_REQUIRED', message: /OAUTH_CONSENT_EXPIRED/ })

  await adapter.revoke(conn)
  await t.rejects(adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'reauth_required', providerCode: 'ITEM_NOT_FOUND' })
  await t.rejects(adapter.listAccounts({ ...conn, secrets: { access_token: 'access-sandbox-unknown' } }, null), { name: 'ProviderError', kind: 'reauth_required', providerCode: 'INVALID_ACCESS_TOKEN' })
})

t.test('not ready: NOT_READY status and PRODUCT_NOT_READY', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await quickItem(h, US.ordinary)
  const account = (await adapter.listAccounts(conn, null)).accounts[0] as Account
  t.equal((await h.api('/_control/item', { access_token: conn.secrets.access_token, transactions_not_ready: true })).status, 200)
  await t.rejects(syncAll(adapter, conn, account, null), { name: 'ProviderError', kind: 'not_ready', providerCode: 'NOT_READY' })
  await h.api('/_control/item', { access_token: conn.secrets.access_token, transactions_not_ready: false })
  t.ok((await syncAll(adapter, conn, account, null)).upserts.length > 0)

  const mock = new MockAgent()
  mock.disableNetConnect()
  mock.get('https://plaid.test').intercept({ path: '/transactions/sync', method: 'POST' }).reply(400, { error_type: 'ITEM_ERROR', error_code: 'PRODUCT_NOT_READY', error_message: 'the requested product is not yet ready. please provide a webhook or try the request again later', display_message: null, request_id: 'pnr1' })
  const scripted = plaidModule.createAdapter({ baseUrl: 'https://plaid.test', dispatcher: mock }, plaidModule.sandbox.credentials(''))
  await t.rejects(syncAll(scripted, conn, account, null), { name: 'ProviderError', kind: 'not_ready', providerCode: 'PRODUCT_NOT_READY', providerRequestId: 'pnr1' })
})

t.test('daily bank: one /transactions/refresh per 24 h, then Plaid\'s 429 with Retry-After', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const counter = countingDispatcher()
  const adapter = h.adapter({ dispatcher: counter.dispatcher })
  const conn = await quickItem(h, US.daily)
  t.same(await adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { status: 'started' })
  h.clock.t += 3 * 60 * 60 * 1000
  const err = await adapter.refresh(conn, { userPresent: true, psu: null, account: null }).catch((e: unknown) => e)
  t.match(err, { name: 'ProviderError', kind: 'rate_limited', providerCode: 'TRANSACTIONS_REFRESH_LIMIT', httpStatus: 429, retryAfterSeconds: 21 * 60 * 60 })
  t.equal(counter.counts.get('/transactions/refresh'), 2, 'a refresh is not idempotent: never retried')
  const raw = await h.api('/transactions/refresh', { access_token: conn.secrets.access_token })
  t.match(raw, { status: 429, body: { error_type: 'RATE_LIMIT_EXCEEDED', error_code: 'TRANSACTIONS_REFRESH_LIMIT', error_message: 'rate limit exceeded for attempts to access this item. please try again later' } })
  h.clock.t += 21 * 60 * 60 * 1000
  t.same(await adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { status: 'started' })
  const ordinary = await quickItem(h, US.ordinary)
  for (let i = 0; i < 3; i++) t.same(await adapter.refresh(ordinary, { userPresent: false, psu: null, account: null }), { status: 'started' })
})

t.test('manual-only bank: update_type user_present_required, data frozen until Link runs again', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await linkItem(adapter, US.manual)
  const item = await h.api('/item/get', { access_token: conn.secrets.access_token })
  t.equal(item.body.item.update_type, 'user_present_required')
  await t.rejects(adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { name: 'ProviderError', kind: 'user_action_required', providerCode: 'user_present_required' })
  await t.rejects(adapter.refresh(conn, { userPresent: true, psu: null, account: null }), { name: 'ProviderError', kind: 'reauth_required', providerCode: 'user_present_required' })
  const account = (await adapter.listAccounts(conn, null)).accounts[0] as Account
  const first = await syncAll(adapter, conn, account, null)
  t.ok(first.upserts.length > 0, 'cached data is always readable')
  h.clock.t += 2 * DAY
  await h.api('/_control/transactions', { account_id: account.providerAccountId, date: isoDate(h.clock.t), amount: '-5.00', description: 'After the last login' })
  const stale = await syncAll(adapter, conn, account, first.syncState)
  t.equal(stale.upserts.length + stale.removed.length, 0, 'no background refresh for this Item')
  const start = await startLink(adapter, US.manual, conn, 'state-manual')
  const done = await submitConsent(start.url, { decision: 'approve' })
  await adapter.completeConsent({ institutionId: US.manual, redirectUri: REDIRECT, pending: start.pending, callback: callbackOf(done.location as string), existing: conn })
  const fresh = await syncAll(adapter, conn, account, first.syncState)
  t.ok(fresh.upserts.some(x => x.description === 'After the last login'), 'Link update mode brings the data up to date')
})

t.test('flaky bank: 500 and 429 retried, at most 3 attempts per call', async t => {
  const h = await startSandbox({ slowMs: 20 })
  t.teardown(h.close)
  const counter = countingDispatcher()
  const adapter = h.adapter({ dispatcher: counter.dispatcher })
  const conn = await quickItem(h, US.flaky)
  const attempts: number[] = []
  for (let i = 0; i < 6; i++) {
    const before = counter.counts.get('/accounts/get') ?? 0
    const res = await adapter.listAccounts(conn, null).catch((e: unknown) => e)
    attempts.push((counter.counts.get('/accounts/get') ?? 0) - before)
    t.ok(Array.isArray((res as { accounts?: unknown }).accounts), `call ${i + 1} succeeds`)
  }
  // Server calls 1..11: 3 -> 500, 5 -> 429 (Retry-After: 1), 6 -> 500, 7 slow, 9 -> 500, 10 -> 429.
  t.same(attempts, [1, 1, 2, 3, 1, 3])
  const r500 = await h.api('/accounts/get', { access_token: conn.secrets.access_token })
  t.match(r500, { status: 500, body: { error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR', error_message: 'an unexpected error occurred' } }, 'call 12')
  await h.api('/accounts/get', { access_token: conn.secrets.access_token })
  await h.api('/accounts/get', { access_token: conn.secrets.access_token })
  const r429 = await h.api('/accounts/get', { access_token: conn.secrets.access_token })
  t.match(r429, { status: 429, headers: { 'retry-after': '1' }, body: { error_type: 'RATE_LIMIT_EXCEEDED', error_code: 'ACCOUNTS_LIMIT' } }, 'call 15')

  const refreshBefore = counter.counts.get('/transactions/refresh') ?? 0
  for (let i = 0; i < 3; i++) await adapter.refresh(conn, { userPresent: false, psu: null, account: null }).catch(() => undefined)
  t.equal((counter.counts.get('/transactions/refresh') ?? 0) - refreshBefore, 3, 'refresh is never retried, even on the flaky bank')
})

t.test('provider 5xx through the adapter: provider_down after 3 attempts; 4xx never retried', async t => {
  const mock = new MockAgent()
  mock.disableNetConnect()
  const pool = mock.get('https://plaid.test')
  const body = { error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR', error_message: 'an unexpected error occurred', display_message: null, request_id: 'ise1' }
  pool.intercept({ path: '/accounts/get', method: 'POST' }).reply(500, body).times(3)
  const adapter = plaidModule.createAdapter({ baseUrl: 'https://plaid.test', dispatcher: mock }, plaidModule.sandbox.credentials(''))
  const conn = { provider: 'plaid' as const, institutionId: 'x', secrets: { access_token: 'access-sandbox-1' } }
  await t.rejects(adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'INTERNAL_SERVER_ERROR', providerRequestId: 'ise1', httpStatus: 500 })
  mock.assertNoPendingInterceptors()
  pool.intercept({ path: '/institutions/get', method: 'POST' }).reply(400, { error_type: 'INSTITUTION_ERROR', error_code: 'INSTITUTION_DOWN', error_message: 'this institution is not currently responding to this request. please try again soon', request_id: 'i1' })
  await t.rejects(adapter.listInstitutions('US'), { name: 'ProviderError', kind: 'provider_down', providerCode: 'INSTITUTION_DOWN' })
  mock.assertNoPendingInterceptors()
})
