/**
 * Salt Edge error mapping: the sandbox's real refusals (keys, signature, Expires-at, flaky bank
 * with bounded retries) and transport faults no sandbox can produce (undici MockAgent).
 */
import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { MockAgent, request } from 'undici'
import type { Connection } from '../../../providers/types.js'
import { saltedgeModule } from '../../../providers/saltedge/index.js'
import { adapterFor, clock, connect, credentials, rejection, startSandbox } from './helpers.js'

t.test('sandbox refusals map to misconfigured, with the real error body', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const good = adapterFor(sb)
  const conn = await connect(good, 'sandbox_ordinary_bank_be')

  t.match(await rejection(adapterFor(sb, {}, { ...credentials(), secret: 'wrong' }).listAccounts(conn, null)),
    { kind: 'misconfigured', providerCode: 'ApiKeyNotFound', httpStatus: 401 })
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  t.match(await rejection(adapterFor(sb, {}, { ...credentials(), privateKeyPem: otherKey }).listAccounts(conn, null)),
    { kind: 'misconfigured', providerCode: 'SignatureNotMatch', httpStatus: 401 })
  const behind = sb.clock.now() - 2 * 60 * 60_000
  t.match(await rejection(adapterFor(sb, { now: () => behind }).listAccounts(conn, null)), { kind: 'misconfigured', providerCode: 'RequestExpired' })
  const ahead = sb.clock.now() + 2 * 60 * 60_000
  t.match(await rejection(adapterFor(sb, { now: () => ahead }).listAccounts(conn, null)), { kind: 'misconfigured', providerCode: 'ExpiresAtInvalid' })

  const creds = credentials()
  const res = await request(`${sb.base}/accounts?connection_id=${conn.secrets.connection_id as string}`, { headers: { 'App-id': creds.appId, Secret: creds.secret } })
  t.equal(res.statusCode, 400)
  const body = await res.body.json() as { error: { class: string, message: string, documentation_url: string }, request: object }
  t.equal(body.error.class, 'MissingSignature')
  t.type(body.error.message, 'string')
  t.match(body.error.documentation_url, /^https:\/\/docs\.saltedge\.com\//)
  t.type(body.request, 'object')
  const noKey = await request(`${sb.base}/providers`)
  t.equal(noKey.statusCode, 400)
  t.match(await noKey.body.json(), { error: { class: 'AppIdNotProvided' } })
})

t.test('flaky bank: 503 and 429 + Retry-After retried, at most 3 attempts, slow answers waited for', async t => {
  const sb = await startSandbox({ slowMs: 300 })
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_flaky_bank_be')
  const accountsHits = (): number => sb.hits.filter(h => h === '/sandbox/saltedge/accounts'.replace(/^/, 'GET ')).length
  await adapter.listAccounts(conn, null)
  await adapter.listAccounts(conn, null)
  t.equal(accountsHits(), 2, 'calls 1 and 2 answer')
  await adapter.listAccounts(conn, null)
  t.equal(accountsHits(), 4, 'call 3 was a 503, retried once')
  const started = Date.now()
  const { accounts } = await adapter.listAccounts(conn, null)
  t.equal(accounts.length, 2)
  t.equal(accountsHits(), 7, 'call 5 (429), 6 (503), 7 (slow): three attempts, the last one answers')
  t.ok(Date.now() - started >= 1300, 'Retry-After: 1 honoured and the slow answer waited for')
})

const BASE = 'https://api.saltedge.test/api/v6'
const CONN: Connection = { provider: 'saltedge', institutionId: 'x_bank_be', secrets: { connection_id: '111', customer_id: '222', provider_code: 'x_bank_be', automatic_fetch: true } }

function mocked () {
  const agent = new MockAgent()
  agent.disableNetConnect()
  const c = clock()
  const adapter = saltedgeModule.createAdapter({ baseUrl: BASE, dispatcher: agent, now: c.now }, credentials())
  return { agent, pool: agent.get('https://api.saltedge.test'), adapter }
}

const json = { headers: { 'content-type': 'application/json' } }
const seErr = (cls: string) => ({ error: { class: cls, message: 'm', documentation_url: 'https://docs.saltedge.com/' }, request: {} })

t.test('error classes and statuses → taxonomy, keeping class and request id', async t => {
  const cases: Array<[number, string, string]> = [
    [406, 'InvalidCredentials', 'reauth_required'],
    [406, 'AispConsentRevoked', 'reauth_required'],
    [406, 'ConnectionDisabled', 'reauth_required'],
    [409, 'ConnectionAlreadyProcessing', 'not_ready'],
    [403, 'ClientDisabled', 'misconfigured'],
    [400, 'WrongRequestFormat', 'invalid_request'],
    [406, 'ProviderUnavailable', 'provider_down'],
    [429, 'TooManyRequests', 'rate_limited'],
    [406, 'SomethingNew', 'invalid_request']
  ]
  for (const [status, cls, kind] of cases) {
    const { agent, pool, adapter } = mocked()
    pool.intercept({ path: '/api/v6/connections/111', method: 'GET' }).reply(status, seErr(cls), { headers: { 'content-type': 'application/json', 'x-request-id': `req-${cls}`, 'retry-after': '60' } })
    t.match(await rejection(adapter.consentExpiry(CONN)), { provider: 'saltedge', kind, providerCode: cls, httpStatus: status, providerRequestId: `req-${cls}` }, `${status} ${cls} → ${kind}`)
    await agent.close()
  }
})

t.test('transport faults (MockAgent)', async t => {
  const path = '/api/v6/connections/111'
  await t.test('connection reset: retried, three attempts, provider_down', async t => {
    const { agent, pool, adapter } = mocked()
    pool.intercept({ path, method: 'GET' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).times(3)
    t.match(await rejection(adapter.consentExpiry(CONN)), { kind: 'provider_down', providerCode: 'connection_failed' })
    agent.assertNoPendingInterceptors()
    await agent.close()
  })
  const garbage: Array<[string, () => ReturnType<typeof mocked>]> = [
    ['malformed JSON', () => { const m = mocked(); m.pool.intercept({ path, method: 'GET' }).reply(200, '{"data": {"id": ', json); return m }],
    ['truncated body', () => { const m = mocked(); m.pool.intercept({ path, method: 'GET' }).reply(200, '{"data":{"id":"111","last_consent_id":"9"', json); return m }],
    ['HTML with 200', () => { const m = mocked(); m.pool.intercept({ path, method: 'GET' }).reply(200, '<html>maintenance</html>', { headers: { 'content-type': 'text/html' } }); return m }],
    ['JSON without data', () => { const m = mocked(); m.pool.intercept({ path, method: 'GET' }).reply(200, { ok: true }, json); return m }]
  ]
  for (const [name, make] of garbage) {
    await t.test(name, async t => {
      const { agent, adapter } = make()
      t.match(await rejection(adapter.consentExpiry(CONN)), { kind: 'provider_down', providerCode: 'bad_response' })
      await agent.close()
    })
  }
  await t.test('a slow answer beyond the deadline is provider_down (timeout)', async t => {
    const agent = new MockAgent()
    agent.disableNetConnect()
    agent.get('https://api.saltedge.test').intercept({ path, method: 'GET' }).reply(200, { data: { id: '111', last_consent_id: null } }, json).delay(1500)
    const adapter = saltedgeModule.createAdapter({ baseUrl: BASE, dispatcher: agent, timeoutMs: 200 }, credentials())
    const started = Date.now()
    t.match(await rejection(adapter.consentExpiry(CONN)), { kind: 'provider_down', providerCode: 'timeout' })
    t.ok(Date.now() - started < 1000, 'the deadline, not the answer, ends the call')
    await agent.close()
  })
  await t.test('20 MB body is cut off', async t => {
    const { agent, pool, adapter } = mocked()
    pool.intercept({ path, method: 'GET' }).reply(200, `{"data":"${'x'.repeat(21 * 1024 * 1024)}"}`, json)
    t.match(await rejection(adapter.consentExpiry(CONN)), { kind: 'provider_down', providerCode: 'response_too_large' })
    await agent.close()
  })
  await t.test('redirect to an internal address is not followed', async t => {
    const { agent, pool, adapter } = mocked()
    pool.intercept({ path, method: 'GET' }).reply(302, '', { headers: { location: 'http://169.254.169.254/latest/meta-data/' } })
    const metadata = agent.get('http://169.254.169.254')
    metadata.intercept({ path: /.*/, method: 'GET' }).reply(200, 'secret')
    t.match(await rejection(adapter.consentExpiry(CONN)), { kind: 'provider_down', providerCode: 'redirect_refused', httpStatus: 302 })
    t.equal(agent.pendingInterceptors().length, 1, 'the internal address was never called')
    await agent.close()
  })
  await t.test('429 with Retry-After beyond 30 s: no retry, passed on', async t => {
    const { agent, pool, adapter } = mocked()
    pool.intercept({ path, method: 'GET' }).reply(429, seErr('TooManyRequests'), { headers: { 'content-type': 'application/json', 'retry-after': '3600' } })
    t.match(await rejection(adapter.consentExpiry(CONN)), { kind: 'rate_limited', retryAfterSeconds: 3600 })
    agent.assertNoPendingInterceptors()
    await agent.close()
  })
  await t.test('a refresh (POST) is never retried', async t => {
    const { agent, pool, adapter } = mocked()
    pool.intercept({ path: `${path}/refresh`, method: 'POST' }).reply(503, seErr('ProviderUnavailable'), json).times(2)
    t.match(await rejection(adapter.refresh(CONN, { userPresent: true, psu: null, account: null })), { kind: 'provider_down', httpStatus: 503 })
    t.equal(agent.pendingInterceptors().length, 1, 'exactly one attempt')
    await agent.close()
  })
  await t.test('a next_id that loops is refused', async t => {
    const { agent, pool, adapter } = mocked()
    pool.intercept({ path: (p: string) => p.startsWith('/api/v6/providers'), method: 'GET' }).reply(200, { data: [], meta: { next_id: '5', next_page: '/x' } }, json).times(3)
    t.match(await rejection(adapter.listInstitutions('BE')), { kind: 'provider_down', providerCode: 'bad_response' })
    await agent.close()
  })
  await t.test('signed headers go out on every call', async t => {
    const { agent, pool, adapter } = mocked()
    let seen: Record<string, string> = {}
    pool.intercept({ path, method: 'GET' }).reply(200, (opts) => { seen = opts.headers as Record<string, string>; return { data: { id: '111', last_consent_id: null } } }, json)
    t.equal(await adapter.consentExpiry(CONN), null)
    t.match(seen, { 'App-id': credentials().appId, Secret: credentials().secret, 'expires-at': /^\d+$/, signature: /^[A-Za-z0-9+/=]{300,}$/ })
    await agent.close()
  })
})
