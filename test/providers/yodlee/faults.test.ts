/** Faults a sandbox cannot produce, through undici MockAgent passed as `deps.dispatcher`. */
import t from 'tap'
import { MockAgent } from 'undici'
import { createYodleeAdapter } from '../../../providers/yodlee/adapter.js'
import { SANDBOX_CREDENTIALS } from '../../../providers/yodlee/credentials.js'
import type { Account, Connection, ProviderAdapter } from '../../../providers/types.js'
import { collect } from './harness.js'

const ORIGIN = 'https://yodlee.test'
const conn: Connection = { provider: 'yodlee', institutionId: '17001', secrets: { loginName: 'bsb0123', providerAccountId: '123' } }
const account: Account = { id: '1231', providerAccountId: '1231', name: 'x', accountNumber: null, currency: 'USD', balance: null, availableBalance: null, bic: null, inverseBalanceSign: false, inverseTransactionSign: false, consentExpiresAt: null }
const HEALTHY = { providerAccount: [{ id: 123, providerId: 17001, status: 'SUCCESS', dataset: [{ name: 'BASIC_AGG_DATA', additionalStatus: 'AVAILABLE_DATA_RETRIEVED', updateEligibility: 'ALLOW_UPDATE', lastUpdated: '2025-03-14T09:00:00Z' }] }] }

interface Rig { agent: MockAgent, adapter: ProviderAdapter, sleeps: number[], pool: ReturnType<MockAgent['get']> }

function rig (t: { teardown: (fn: () => unknown) => void }, timeoutMs = 5_000): Rig {
  const agent = new MockAgent()
  agent.disableNetConnect()
  const sleeps: number[] = []
  const adapter = createYodleeAdapter({ baseUrl: `${ORIGIN}/ysl`, dispatcher: agent, now: () => Date.parse('2025-03-14T10:00:00Z'), timeoutMs }, SANDBOX_CREDENTIALS, { sleep: async ms => { sleeps.push(ms) } })
  const pool = agent.get(ORIGIN)
  pool.intercept({ path: '/ysl/auth/token', method: 'POST' }).reply(201, { token: { accessToken: 'tok-1', issuedAt: '2025-03-14T10:00:00Z', expiresIn: 1800 } }).persist()
  t.teardown(async () => { await agent.close() })
  return { agent, adapter, sleeps, pool }
}

const PA_PATH = '/ysl/providerAccounts/123'

t.test('503 Y902 three times: provider_down after exactly 3 attempts', async t => {
  const r = rig(t)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(503, { errorCode: 'Y902', errorMessage: 'Oops some issue at our end', referenceCode: 'ref-1' }).times(3)
  await t.rejects(r.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'Y902', providerRequestId: 'ref-1', httpStatus: 503 })
  r.agent.assertNoPendingInterceptors()
  t.equal(r.sleeps.length, 2)
})

t.test('503, 503, 200: succeeds on the third attempt; Bearer and Api-Version sent', async t => {
  const r = rig(t)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(503, {}).times(2)
  r.pool.intercept({ path: PA_PATH, method: 'GET', headers: { authorization: 'Bearer tok-1', 'api-version': '1.1' } }).reply(200, HEALTHY)
  r.pool.intercept({ path: '/ysl/accounts?providerAccountId=123', method: 'GET' }).reply(200, {})
  r.pool.intercept({ path: '/ysl/consents?providerAccountIds=123', method: 'GET' }).reply(200, {})
  t.same(await r.adapter.listAccounts(conn, null), { accounts: [] })
  r.agent.assertNoPendingInterceptors()
})

t.test('429 with Retry-After: 2 waits 2 s; 3600 is passed on without retrying', async t => {
  const r2 = rig(t)
  r2.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(429, '', { headers: { 'retry-after': '2' } })
  r2.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(429, '', { headers: { 'retry-after': '3600' } })
  await t.rejects(r2.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'rate_limited', retryAfterSeconds: 3600 })
  t.same(r2.sleeps, [2000])
  r2.agent.assertNoPendingInterceptors()
  const r3 = rig(t)
  r3.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(429, { errorMessage: 'Too Many Requests' }).times(3)
  await t.rejects(r3.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'rate_limited', retryAfterSeconds: null, httpStatus: 429 })
  t.equal(r3.sleeps.length, 2, 'no Retry-After: bounded backoff, 3 attempts')
})

t.test('400 Y800: one attempt, invalid_request', async t => {
  const r = rig(t)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(400, { errorCode: 'Y800', errorMessage: 'Invalid value for providerAccountId', referenceCode: 'r' })
  await t.rejects(r.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'invalid_request', providerCode: 'Y800' })
  t.same(r.sleeps, [])
})

t.test('a refused token is replaced once, then the call is repeated', async t => {
  const r = rig(t)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(401, { errorCode: 'Y020', errorMessage: 'Invalid token in authorization header' })
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(401, { errorCode: 'Y023', errorMessage: 'Token has expired' })
  await t.rejects(r.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'misconfigured', providerCode: 'Y023' })
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(401, { errorCode: 'Y008' })
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(200, HEALTHY)
  r.pool.intercept({ path: '/ysl/accounts?providerAccountId=123', method: 'GET' }).reply(200, {})
  r.pool.intercept({ path: '/ysl/consents?providerAccountIds=123', method: 'GET' }).reply(200, {})
  t.same(await r.adapter.listAccounts(conn, null), { accounts: [] })
  r.agent.assertNoPendingInterceptors()
})

t.test('garbage 2xx bodies: provider_down / bad_response', async t => {
  for (const [body, headers] of [['{not json', { 'content-type': 'application/json' }], ['<html>maintenance</html>', { 'content-type': 'text/html' }], ['', {}]] as const) {
    const r = rig(t)
    r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(200, body, { headers })
    await t.rejects(r.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'bad_response' })
  }
})

t.test('schema-violating transactions: bad_response, nothing yielded', async t => {
  const r = rig(t)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(200, HEALTHY)
  r.pool.intercept({ path: /^\/ysl\/transactions\/count\?/, method: 'GET' }).reply(200, { transaction: { TOTAL: { count: 1 } } })
  r.pool.intercept({ path: /^\/ysl\/transactions\?/, method: 'GET' }).reply(200, { transaction: [{ id: 1, accountId: 1231, CONTAINER: 'bank', amount: { amount: 'abc', currency: 'USD' }, baseType: 'DEBIT', status: 'POSTED', date: '2025-03-13' }] })
  await t.rejects(collect(r.adapter.syncTransactions(conn, { account, fromDate: '2025-03-01', toDate: '2025-03-14', syncState: null, userPresent: false, psu: null })),
    { name: 'ProviderError', kind: 'provider_down', providerCode: 'bad_response' })
})

t.test('ECONNRESET: retried, then provider_down connection_failed', async t => {
  const r = rig(t)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).times(3)
  await t.rejects(r.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'connection_failed' })
  r.agent.assertNoPendingInterceptors()
})

t.test('302 to an internal address is never followed', async t => {
  const r = rig(t)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(302, '', { headers: { location: 'http://169.254.169.254/latest/meta-data/' } })
  const meta = r.agent.get('http://169.254.169.254')
  meta.intercept({ path: '/latest/meta-data/', method: 'GET' }).reply(200, 'secret')
  await t.rejects(r.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'redirect_refused' })
  t.equal(r.agent.pendingInterceptors().filter(i => i.origin === 'http://169.254.169.254').length, 1, 'metadata address never requested')
})

t.test('a 25 MiB body is cut off at the size cap', async t => {
  const r = rig(t)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(200, 'x'.repeat(25 * 1024 * 1024))
  await t.rejects(r.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'response_too_large' })
})

t.test('headers stall past the deadline: timeout', async t => {
  const r = rig(t, 300)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(200, HEALTHY).delay(1_000)
  const started = Date.now()
  await t.rejects(r.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'provider_down', providerCode: 'timeout' })
  t.ok(Date.now() - started < 1_000)
})

t.test('refresh PUT is not repeated on 503; revoke treats Y807 as done and retries a 503', async t => {
  const r = rig(t)
  r.pool.intercept({ path: PA_PATH, method: 'GET' }).reply(200, HEALTHY)
  r.pool.intercept({ path: '/ysl/providerAccounts?providerAccountIds=123', method: 'PUT' }).reply(503, { errorCode: 'Y902' })
  await t.rejects(r.adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { name: 'ProviderError', kind: 'provider_down' })
  t.same(r.sleeps, [])
  r.pool.intercept({ path: PA_PATH, method: 'DELETE' }).reply(503, { errorCode: 'Y902' })
  r.pool.intercept({ path: PA_PATH, method: 'DELETE' }).reply(204, '')
  await r.adapter.revoke(conn)
  r.pool.intercept({ path: PA_PATH, method: 'DELETE' }).reply(400, { errorCode: 'Y807', errorMessage: 'Resource not found' })
  await r.adapter.revoke(conn)
  r.agent.assertNoPendingInterceptors()
})
