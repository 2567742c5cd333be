/**
 * Faults the sandbox cannot produce, through undici MockAgent passed as `deps.dispatcher`:
 * 5xx with bounded retries, long Retry-After, timeouts, garbage and huge bodies, redirects,
 * reset connections, and error bodies mapped by their Enable Banking code.
 */
import t from 'tap'
import { MockAgent } from 'undici'
import { enablebankingModule } from '../../../providers/enablebanking/index.js'
import type { Account, Connection } from '../../../providers/types.js'
import { catchError } from './helpers.js'

const ORIGIN = 'http://eb.mock'
const SESSION = '6cc44479-7e7f-4f1b-90a3-11cc183670cf'
const UID = '9fd5eab6-750e-4ec1-9d28-ef8456d15023'
const CONN: Connection = {
  provider: 'enablebanking',
  institutionId: 'S-Pankki|FI',
  secrets: { sessionId: SESSION, validUntil: '2030-01-01T00:00:00+00:00', aspsp: { name: 'S-Pankki', country: 'FI' }, psuType: 'business', bic: null, accounts: [{ uid: UID, identification_hash: 'HASH', identification_hashes: ['HASH'], currency: 'EUR', cash_account_type: 'CACC' }] }
}
const ACCOUNT: Account = { id: 'HASH', providerAccountId: UID, name: 'A', accountNumber: null, currency: 'EUR', balance: null, availableBalance: null, bic: null, inverseBalanceSign: false, inverseTransactionSign: false, consentExpiresAt: null }
const JSON_HEADERS = { 'content-type': 'application/json' }

function setup (t: { teardown: (fn: () => unknown) => void }) {
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(async () => { await agent.close() })
  const pool = agent.get(ORIGIN)
  const adapter = enablebankingModule.createAdapter({ baseUrl: ORIGIN, dispatcher: agent, timeoutMs: 5_000 }, enablebankingModule.sandbox.credentials(ORIGIN))
  return { agent, pool, adapter }
}

function errorBody (code: number, error: string, message = 'm', detail: unknown = null): string {
  return JSON.stringify({ message, code, error, detail })
}

async function drain (it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it) { /* drain */ }
}

const sync = (adapter: ReturnType<typeof setup>['adapter']) => drain(adapter.syncTransactions(CONN, { account: ACCOUNT, fromDate: '2025-01-01', toDate: '2025-01-31', syncState: null, userPresent: false, psu: null }))
const txPath = (p: string) => p.startsWith(`/accounts/${UID}/transactions`)

t.test('ASPSP_ERROR 500 three times: provider_down after exactly 3 attempts', async t => {
  const { pool, adapter } = setup(t)
  let attempts = 0
  pool.intercept({ path: txPath, method: 'GET' }).reply(() => { attempts++; return { statusCode: 500, data: errorBody(500, 'ASPSP_ERROR'), responseOptions: { headers: JSON_HEADERS } } }).times(3)
  const err = await catchError(sync(adapter))
  t.equal(err.kind, 'provider_down')
  t.equal(err.providerCode, 'ASPSP_ERROR')
  t.equal(attempts, 3)
})

t.test('500 then 200: recovered on the second attempt', async t => {
  const { pool, adapter } = setup(t)
  pool.intercept({ path: txPath, method: 'GET' }).reply(500, errorBody(500, 'ASPSP_ERROR'), { headers: JSON_HEADERS })
  pool.intercept({ path: txPath, method: 'GET' }).reply(200, { transactions: [{ entry_reference: 'E1', transaction_amount: { currency: 'EUR', amount: '3.00' }, credit_debit_indicator: 'DBIT', status: 'BOOK', booking_date: '2025-01-10' }], continuation_key: null }, { headers: JSON_HEADERS })
  const pages = []
  for await (const p of adapter.syncTransactions(CONN, { account: ACCOUNT, fromDate: '2025-01-01', toDate: '2025-01-31', syncState: null, userPresent: false, psu: null })) pages.push(p)
  t.equal(pages.length, 1)
  t.equal(pages[0]?.upserts[0]?.amount, '-3.00')
})

t.test('429 with Retry-After: 3600 is not retried and carries the delay', async t => {
  const { pool, adapter } = setup(t)
  let attempts = 0
  pool.intercept({ path: txPath, method: 'GET' }).reply(() => { attempts++; return { statusCode: 429, data: errorBody(429, 'ASPSP_RATE_LIMIT_EXCEEDED'), responseOptions: { headers: { ...JSON_HEADERS, 'retry-after': '3600', 'x-request-id': 'req-77' } } } }).persist()
  const err = await catchError(sync(adapter))
  t.equal(err.kind, 'rate_limited')
  t.equal(err.retryAfterSeconds, 3600)
  t.equal(err.providerRequestId, 'req-77')
  t.equal(attempts, 1)
})

t.test('error codes decide the kind, whatever the status', async t => {
  const cases: Array<[number, string, string]> = [
    [401, 'EXPIRED_SESSION', 'reauth_required'],
    [422, 'INVALID_ACCOUNT_ID', 'reauth_required'],
    [422, 'PSU_HEADER_NOT_PROVIDED', 'user_action_required'],
    [401, 'UNAUTHORIZED_ACCESS', 'misconfigured'],
    [403, 'ACCESS_DENIED', 'misconfigured'],
    [408, 'ASPSP_TIMEOUT', 'provider_down'],
    [422, 'WRONG_TRANSACTIONS_PERIOD', 'invalid_request'],
    [404, 'NOT_A_KNOWN_CODE', 'invalid_request'],
    [503, 'NOT_A_KNOWN_CODE', 'provider_down']
  ]
  for (const [status, code, kind] of cases) {
    const { pool, adapter } = setup(t)
    pool.intercept({ path: txPath, method: 'GET' }).reply(status, errorBody(status, code, 'raw provider text', { field: 'x' }), { headers: JSON_HEADERS }).persist()
    const err = await catchError(sync(adapter))
    t.equal(err.kind, kind, code)
    t.equal(err.providerCode, code, code)
    t.equal(err.httpStatus, status, code)
    t.match(err.message, /raw provider text/, 'provider text stays in the message only')
  }
})

t.test('garbage 2xx bodies are provider_down / bad_response', async t => {
  const bodies: Array<[string, string]> = [
    ['invalid JSON', '{"transactions": ['],
    ['HTML', '<html>maintenance</html>'],
    ['empty', ''],
    ['no array', '{"transactions": null}'],
    ['bad amount', JSON.stringify({ transactions: [{ transaction_amount: { currency: 'EUR', amount: 'abc' }, credit_debit_indicator: 'DBIT', status: 'BOOK' }] })],
    ['bad date', JSON.stringify({ transactions: [{ transaction_amount: { currency: 'EUR', amount: '1' }, credit_debit_indicator: 'DBIT', status: 'BOOK', booking_date: '2024-13-45' }] })]
  ]
  for (const [name, body] of bodies) {
    const { pool, adapter } = setup(t)
    pool.intercept({ path: txPath, method: 'GET' }).reply(200, body, { headers: JSON_HEADERS })
    const err = await catchError(sync(adapter))
    t.equal(err.kind, 'provider_down', name)
    t.equal(err.providerCode, 'bad_response', name)
  }
})

t.test('a repeated continuation_key stops the loop', async t => {
  const { pool, adapter } = setup(t)
  pool.intercept({ path: txPath, method: 'GET' }).reply(200, { transactions: [], continuation_key: 'K' }, { headers: JSON_HEADERS }).times(2)
  const err = await catchError(sync(adapter))
  t.equal(err.providerCode, 'bad_response')
})

t.test('a redirect is never followed', async t => {
  const { pool, agent, adapter } = setup(t)
  pool.intercept({ path: txPath, method: 'GET' }).reply(302, '', { headers: { location: 'http://169.254.169.254/latest/meta-data/' } })
  const metadata = agent.get('http://169.254.169.254')
  let followed = 0
  metadata.intercept({ path: () => true, method: 'GET' }).reply(() => { followed++; return { statusCode: 200, data: '{}' } }).persist()
  const err = await catchError(sync(adapter))
  t.equal(err.kind, 'provider_down')
  t.equal(err.providerCode, 'redirect_refused')
  t.equal(followed, 0)
})

t.test('a reset connection is retried, then provider_down', async t => {
  const { pool, adapter } = setup(t)
  let attempts = 0
  pool.intercept({ path: txPath, method: 'GET' }).reply(() => { attempts++; throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }).times(3)
  const err = await catchError(sync(adapter))
  t.equal(err.kind, 'provider_down')
  t.equal(attempts, 3, 'retried as a connection failure, bounded')
})

t.test('a 25 MiB body is cut at the size limit', async t => {
  const { pool, adapter } = setup(t)
  pool.intercept({ path: txPath, method: 'GET' }).reply(200, Buffer.alloc(25 * 1024 * 1024, 0x20), { headers: JSON_HEADERS })
  const err = await catchError(sync(adapter))
  t.equal(err.kind, 'provider_down')
  t.equal(err.providerCode, 'response_too_large')
})

t.test('a session waiting for the bank is not_ready; POST /auth is never retried', async t => {
  const { pool, adapter } = setup(t)
  pool.intercept({ path: `/sessions/${SESSION}`, method: 'GET' }).reply(200, { status: 'RETURNED_FROM_BANK', accounts: [], accounts_data: [], aspsp: { name: 'S-Pankki', country: 'FI' }, psu_type: 'business', psu_id_hash: 'x', access: { valid_until: '2030-01-01T00:00:00+00:00' }, created: '2025-01-01T00:00:00+00:00' }, { headers: JSON_HEADERS })
  const err = await catchError(adapter.listAccounts(CONN, null))
  t.equal(err.kind, 'not_ready')
  pool.intercept({ path: p => p.startsWith('/aspsps'), method: 'GET' }).reply(200, { aspsps: [{ name: 'S-Pankki', country: 'FI', logo: 'https://x/', psu_types: ['business'], auth_methods: [], maximum_consent_validity: 7776000, beta: false }] }, { headers: JSON_HEADERS })
  let posts = 0
  pool.intercept({ path: '/auth', method: 'POST' }).reply(() => { posts++; return { statusCode: 500, data: errorBody(500, 'ASPSP_ERROR') } }).persist()
  const e2 = await catchError(adapter.startConsent({ institutionId: 'S-Pankki|FI', redirectUri: 'https://b.example/cb', state: 's', lang: 'fi', userEmail: null, psu: null, existing: null }))
  t.equal(e2.kind, 'provider_down')
  t.equal(posts, 1)
})

t.test('an account missing from the stored snapshot is read once from /details and stored', async t => {
  const { pool, adapter } = setup(t)
  const bare: Connection = { ...CONN, secrets: { ...CONN.secrets, accounts: [] } }
  pool.intercept({ path: `/sessions/${SESSION}`, method: 'GET' }).reply(200, { status: 'AUTHORIZED', accounts: [UID], accounts_data: [{ uid: UID, identification_hash: 'HASH' }], aspsp: { name: 'S-Pankki', country: 'FI' }, psu_type: 'business', psu_id_hash: 'x', access: { valid_until: '2030-01-01T00:00:00+00:00' }, created: '2025-01-01T00:00:00+00:00' }, { headers: JSON_HEADERS })
  let details = 0
  pool.intercept({ path: `/accounts/${UID}/details`, method: 'GET' }).reply(() => { details++; return { statusCode: 200, data: JSON.stringify({ uid: UID, identification_hash: 'HASH', identification_hashes: ['HASH'], account_id: { iban: 'FI2439390058811110' }, currency: 'EUR', cash_account_type: 'CACC', product: 'TESTITILI' }), responseOptions: { headers: JSON_HEADERS } } })
  pool.intercept({ path: `/accounts/${UID}/balances`, method: 'GET' }).reply(200, { balances: [{ name: 'Booked', balance_amount: { currency: 'EUR', amount: '-10.5' }, balance_type: 'CLBD' }] }, { headers: JSON_HEADERS })
  const res = await adapter.listAccounts(bare, null)
  t.equal(details, 1)
  t.same(res.accounts.map(a => [a.id, a.providerAccountId, a.accountNumber, a.balance, a.consentExpiresAt]), [['HASH', UID, 'FI2439390058811110', '-10.50', '2030-01-01']])
  t.equal((res.secrets?.accounts as Array<{ uid: string }>)[0]?.uid, UID, 'the new snapshot is handed back to be saved')
})
