/** Faults a sandbox cannot produce, injected with undici MockAgent (never a global dispatcher). */
import t from 'tap'
import { MockAgent } from 'undici'
import { plaidModule } from '../../../providers/plaid/index.js'
import type { Account } from '../../../providers/types.js'
import { syncAll } from './helpers.js'

const BASE = 'https://plaid.test'
const conn = { provider: 'plaid' as const, institutionId: 'ins_1', secrets: { access_token: 'access-sandbox-1' } }
const account: Account = { id: 'A', providerAccountId: 'A', name: 'x', accountNumber: null, currency: 'USD', balance: null, availableBalance: null, bic: null, inverseBalanceSign: false, inverseTransactionSign: false, consentExpiresAt: null }

function setup (): { mock: MockAgent, pool: ReturnType<MockAgent['get']>, adapter: ReturnType<typeof plaidModule.createAdapter> } {
  const mock = new MockAgent()
  mock.disableNetConnect()
  const pool = mock.get(BASE)
  const adapter = plaidModule.createAdapter({ baseUrl: BASE, dispatcher: mock, timeoutMs: 10_000 }, plaidModule.sandbox.credentials(BASE))
  return { mock, pool, adapter }
}

t.test('connection reset on a read: retried, then provider_down', async t => {
  const { mock, pool, adapter } = setup()
  pool.intercept({ path: '/accounts/get', method: 'POST' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).times(3)
  await t.rejects(adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'connection_failed' })
  mock.assertNoPendingInterceptors()
})

t.test('connection reset on a write: one attempt only', async t => {
  const { mock, pool, adapter } = setup()
  pool.intercept({ path: '/item/remove', method: 'POST' }).replyWithError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))
  pool.intercept({ path: '/item/remove', method: 'POST' }).reply(200, { request_id: 'never' })
  await t.rejects(adapter.revoke(conn), { name: 'ProviderError', kind: 'provider_down' })
  t.equal(mock.pendingInterceptors().length, 1, 'the second interceptor was never used')
})

t.test('truncated and malformed JSON, HTML, empty body: bad_response', async t => {
  for (const [label, body, type] of [
    ['truncated', '{"accounts": [{"account_id": "a", "balan', 'application/json'],
    ['malformed', '{accounts: nope}', 'application/json'],
    ['html', '<html><body>Bad gateway</body></html>', 'text/html'],
    ['empty', '', 'application/json']
  ] as const) {
    const { pool, adapter } = setup()
    pool.intercept({ path: '/accounts/get', method: 'POST' }).reply(200, body, { headers: { 'content-type': type } })
    await t.rejects(adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'bad_response' }, label)
  }
})

t.test('schema-violating 200s are refused, not half-imported', async t => {
  const base = { account_id: 'A', transaction_id: 't1', amount: 1, date: '2025-01-01', pending: false, name: 'x', iso_currency_code: 'USD' }
  for (const [label, patch] of [['amount "abc"', { amount: 'abc' }], ['date 2024-13-45', { date: '2024-13-45' }], ['missing id', { transaction_id: undefined }]] as const) {
    const { pool, adapter } = setup()
    pool.intercept({ path: '/transactions/sync', method: 'POST' }).reply(200, { added: [{ ...base, ...patch }], modified: [], removed: [], next_cursor: 'c', has_more: false, request_id: 'r' })
    await t.rejects(syncAll(adapter, conn, account, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'bad_response' }, label)
  }
  const { pool, adapter } = setup()
  pool.intercept({ path: '/transactions/sync', method: 'POST' }).reply(200, { added: [], modified: [], removed: [], request_id: 'r' })
  await t.rejects(syncAll(adapter, conn, account, null), { name: 'ProviderError', providerCode: 'bad_response' }, 'no cursor')
})

t.test('a body over 20 MiB is cut off', async t => {
  const { pool, adapter } = setup()
  pool.intercept({ path: '/accounts/get', method: 'POST' }).reply(200, Buffer.alloc(21 * 1024 * 1024, 0x20))
  await t.rejects(adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'response_too_large' })
})

t.test('a redirect to an internal address is never followed', async t => {
  const { mock, pool, adapter } = setup()
  const metadata = mock.get('http://169.254.169.254')
  metadata.intercept({ path: '/latest/meta-data/', method: 'GET' }).reply(200, 'secret')
  pool.intercept({ path: '/item/get', method: 'POST' }).reply(302, '', { headers: { location: 'http://169.254.169.254/latest/meta-data/' } })
  await t.rejects(adapter.consentExpiry(conn), { name: 'ProviderError', kind: 'provider_down', providerCode: 'redirect_refused' })
  t.equal(mock.pendingInterceptors().length, 1, 'nothing was sent to the redirect target')
})

t.test('429 with a long Retry-After is passed through without waiting', async t => {
  const { mock, pool, adapter } = setup()
  pool.intercept({ path: '/accounts/get', method: 'POST' }).reply(429, { error_type: 'RATE_LIMIT_EXCEEDED', error_code: 'ACCOUNTS_LIMIT', error_message: 'rate limit exceeded for attempts to access this item. please try again later', display_message: null, request_id: 'HNTDNrA8F1shFEW' }, { headers: { 'retry-after': '3600' } })
  const started = Date.now()
  await t.rejects(adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'rate_limited', providerCode: 'ACCOUNTS_LIMIT', retryAfterSeconds: 3600, providerRequestId: 'HNTDNrA8F1shFEW' })
  t.ok(Date.now() - started < 2_000)
  mock.assertNoPendingInterceptors()
})

t.test('the adapter sends Plaid\'s headers and body', async t => {
  const { pool, adapter } = setup()
  let seen: { headers: Record<string, string>, body: Record<string, unknown> } | undefined
  pool.intercept({ path: '/accounts/get', method: 'POST' }).reply(opts => {
    seen = { headers: opts.headers as Record<string, string>, body: JSON.parse(String(opts.body)) }
    return { statusCode: 200, data: { accounts: [], item: {}, request_id: 'r' } }
  })
  await adapter.listAccounts(conn, null)
  t.match(seen?.headers, { 'PLAID-CLIENT-ID': /.+/, 'PLAID-SECRET': /.+/, 'Plaid-Version': '2020-09-14', 'content-type': 'application/json' })
  t.same(seen?.body, { access_token: 'access-sandbox-1' }, 'keys travel in headers, not in the body')
})
