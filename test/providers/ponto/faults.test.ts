/**
 * Faults a sandbox cannot produce, through undici MockAgent as `deps.dispatcher`: 5xx and 429
 * (attempt counts, Retry-After), connection resets, timeouts, garbage and huge bodies, redirects,
 * foreign paging links, an access token revoked mid-life (one refresh, then retry).
 */
import t from 'tap'
import { MockAgent } from 'undici'
import { isProviderError, type ProviderError } from '../../../providers/errors.js'
import { createPontoAdapter } from '../../../providers/ponto/adapter.js'
import type { Account, Connection } from '../../../providers/types.js'
import { collect } from './helper.js'

const ORIGIN = 'https://api.ibanity.com'
const NOW = Date.parse('2025-03-14T10:00:00Z')
const connection: Connection = { provider: 'ponto', institutionId: 'fi', secrets: { access_token: 'at-1', refresh_token: 'rt-1', expires_at: new Date(NOW + 1_000_000).toISOString() } }
const account: Account = { id: 'acc-1', providerAccountId: 'acc-1', name: 'A', accountNumber: null, currency: 'EUR', balance: null, availableBalance: null, bic: null, inverseBalanceSign: false, inverseTransactionSign: false, consentExpiresAt: null }
const isAccounts = (p: string): boolean => p.startsWith('/ponto-connect/accounts?')
const isTransactions = (p: string): boolean => p.startsWith('/ponto-connect/accounts/acc-1/transactions')

function setup (t: { teardown: (fn: () => unknown) => void }, timeoutMs = 5_000) {
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(async () => { await agent.close() })
  const sleeps: number[] = []
  const adapter = createPontoAdapter({ baseUrl: ORIGIN, dispatcher: agent, now: () => NOW, timeoutMs }, { clientId: 'cid', clientSecret: 'secret', applicationId: null, authorizationUrl: null, tls: null }, { sleep: async ms => { sleeps.push(ms) } })
  return { agent, pool: agent.get(ORIGIN), adapter, sleeps }
}

const fail = async (p: Promise<unknown>): Promise<ProviderError> => await p.then(() => { throw new Error('expected a failure') }, (e: unknown) => {
  if (!isProviderError(e)) throw e
  return e
})

const accountsPage = { data: [], links: {}, meta: { paging: { limit: 100 } } }

t.test('503 three times: provider_down after exactly 3 attempts, request id kept', async t => {
  const { pool, adapter, sleeps, agent } = setup(t)
  pool.intercept({ path: isAccounts, method: 'GET' }).reply(503, { errors: [{ code: 'serviceUnavailable', detail: 'down' }] }, { headers: { 'ibanity-request-id': 'REQ-503' } }).times(3)
  const err = await fail(adapter.listAccounts(connection, null))
  t.equal(err.kind, 'provider_down')
  t.equal(err.providerRequestId, 'REQ-503')
  t.equal(err.httpStatus, 503)
  t.equal(sleeps.length, 2, 'two waits between three attempts')
  agent.assertNoPendingInterceptors()
})

t.test('429 with Retry-After: 2 is waited out; 3600 is passed on without retrying', async t => {
  const { pool, adapter, sleeps } = setup(t)
  pool.intercept({ path: isAccounts, method: 'GET' }).reply(429, { errors: [{ code: 'tooManyRequests' }] }, { headers: { 'retry-after': '2' } })
  pool.intercept({ path: isAccounts, method: 'GET' }).reply(200, accountsPage)
  t.same((await adapter.listAccounts(connection, null)).accounts, [])
  t.same(sleeps, [2_000])
  pool.intercept({ path: isAccounts, method: 'GET' }).reply(429, { errors: [{ code: 'tooManyRequests' }] }, { headers: { 'retry-after': '3600' } })
  const err = await fail(adapter.listAccounts(connection, null))
  t.equal(err.kind, 'rate_limited')
  t.equal(err.retryAfterSeconds, 3600)
  t.same(sleeps, [2_000], 'no retry for a long Retry-After')
})

t.test('4xx answers are not retried', async t => {
  for (const [status, code, kind] of [[400, 'invalidParameter', 'invalid_request'], [403, 'forbidden', 'misconfigured'], [404, 'resourceNotFound', 'invalid_request']] as const) {
    const { pool, adapter, sleeps, agent } = setup(t)
    pool.intercept({ path: isAccounts, method: 'GET' }).reply(status, { errors: [{ code, detail: 'no', meta: { requestId: `R${status}` } }] })
    const err = await fail(adapter.listAccounts(connection, null))
    t.equal(err.kind, kind, `${status}`)
    t.equal(err.providerRequestId, `R${status}`)
    t.equal(sleeps.length, 0)
    agent.assertNoPendingInterceptors()
  }
})

t.test('connection reset: retried, then provider_down', async t => {
  const { pool, adapter, agent } = setup(t)
  pool.intercept({ path: isAccounts, method: 'GET' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).times(3)
  const err = await fail(adapter.listAccounts(connection, null))
  t.equal(err.kind, 'provider_down')
  t.equal(err.providerCode, 'connection_failed')
  agent.assertNoPendingInterceptors()
})

t.test('a stalled answer ends at the deadline', async t => {
  const { pool, adapter } = setup(t, 300)
  pool.intercept({ path: isAccounts, method: 'GET' }).reply(200, accountsPage).delay(2_000).persist()
  const started = Date.now()
  const err = await fail(adapter.listAccounts(connection, null))
  t.equal(err.kind, 'provider_down')
  t.equal(err.providerCode, 'timeout')
  t.ok(Date.now() - started < 1_500, 'bounded by the deadline')
})

t.test('garbage 2xx bodies are provider failures', async t => {
  const bodies: Array<[string, string]> = [['{"data": [', 'application/json'], ['<html>maintenance</html>', 'text/html'], ['', 'application/json'], ['[1,2]', 'application/json']]
  for (const [body, type] of bodies) {
    const { pool, adapter } = setup(t)
    pool.intercept({ path: isAccounts, method: 'GET' }).reply(200, body, { headers: { 'content-type': type } })
    const err = await fail(adapter.listAccounts(connection, null))
    t.equal(err.providerCode, 'bad_response', JSON.stringify(body))
  }
  const { pool, adapter } = setup(t)
  pool.intercept({ path: isTransactions, method: 'GET' }).reply(200, { data: [{ type: 'transaction', id: 't1', attributes: { amount: 'abc', executionDate: '2025-03-01T00:00:00Z' } }], links: {}, meta: {} })
  pool.intercept({ path: p => p.startsWith('/ponto-connect/accounts/acc-1/pending-transactions'), method: 'GET' }).reply(200, { data: [], links: {}, meta: {} })
  const err = await fail(collect(adapter.syncTransactions(connection, { account, fromDate: '2025-01-01', toDate: '2025-03-14', syncState: null, userPresent: false, psu: null })))
  t.equal(err.providerCode, 'bad_response', 'an amount that is not a number fails the sync loudly')
})

t.test('a 25 MiB body is cut at the size limit', async t => {
  const { pool, adapter } = setup(t)
  pool.intercept({ path: isAccounts, method: 'GET' }).reply(200, `{"data":[],"pad":"${'x'.repeat(25 * 1024 * 1024)}"}`)
  const err = await fail(adapter.listAccounts(connection, null))
  t.equal(err.providerCode, 'response_too_large')
})

t.test('redirects are never followed', async t => {
  const { pool, adapter, agent } = setup(t)
  pool.intercept({ path: isAccounts, method: 'GET' }).reply(302, '', { headers: { location: 'http://169.254.169.254/latest/meta-data/' } })
  const err = await fail(adapter.listAccounts(connection, null))
  t.equal(err.providerCode, 'redirect_refused')
  agent.assertNoPendingInterceptors()
})

t.test('a paging link to another host is not followed', async t => {
  const { pool, adapter } = setup(t)
  pool.intercept({ path: isAccounts, method: 'GET' }).reply(200, { data: [], links: { next: 'https://evil.example/ponto-connect/accounts?page[after]=x' }, meta: {} })
  const err = await fail(adapter.listAccounts(connection, null))
  t.equal(err.providerCode, 'bad_response')
})

t.test('an access token revoked early: one refresh, one retry, rotated secrets returned', async t => {
  const { pool, adapter, agent } = setup(t)
  pool.intercept({ path: isAccounts, method: 'GET', headers: { authorization: 'Bearer at-1' } }).reply(401, { errors: [{ code: 'invalidAccessToken', detail: 'Your access token is invalid.' }] })
  let form = ''
  pool.intercept({ path: '/ponto-connect/oauth2/token', method: 'POST', headers: { authorization: `Basic ${Buffer.from('cid:secret').toString('base64')}` } })
    .reply(200, (opts) => { form = String(opts.body); return { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 1799, token_type: 'bearer', scope: 'offline_access ai pi' } })
  pool.intercept({ path: isAccounts, method: 'GET', headers: { authorization: 'Bearer at-2' } }).reply(200, accountsPage)
  const result = await adapter.listAccounts(connection, null)
  t.match(result.secrets, { access_token: 'at-2', refresh_token: 'rt-2' })
  const params = new URLSearchParams(form)
  t.equal(params.get('grant_type'), 'refresh_token')
  t.equal(params.get('refresh_token'), 'rt-1')
  agent.assertNoPendingInterceptors()
})

t.test('a dead refresh token means re-authorisation', async t => {
  const { pool, adapter } = setup(t)
  const expired = { ...connection, secrets: { ...connection.secrets, expires_at: new Date(NOW - 1).toISOString() } }
  pool.intercept({ path: '/ponto-connect/oauth2/token', method: 'POST' }).reply(400, { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid' }, { headers: { 'ibanity-request-id': 'TOK-1' } })
  const err = await fail(adapter.listAccounts(expired, null))
  t.equal(err.kind, 'reauth_required')
  t.equal(err.providerCode, 'invalid_grant')
  t.equal(err.providerRequestId, 'TOK-1')
  t.equal(err.message.includes('rt-1'), false, 'no token in the message')
})
