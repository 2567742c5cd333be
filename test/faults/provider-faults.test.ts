/**
 * Issue 6 point 2 / reliability.md S4–S5: every provider behind a misbehaving server, driven by real
 * signed Odoo calls. For each provider × fault the Odoo client gets the Odoo error envelope with a
 * reference and no provider text, the provider saw a bounded number of attempts (3 for idempotent
 * calls when the fault is retryable, else 1), `Retry-After` was honoured, a 20 MB+ body was cut at
 * the 20 MiB cap, a redirect was never followed, and the error record names the provider and the
 * request id it sent.
 */
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import type { ProviderId } from '../../providers/types.js'
import { toAppError } from '../../src/errors-map.js'
import { HTTP_LIMITS } from '../../providers/http.js'
import { signedCall, type OdooLink } from '../helpers/odoo-client.js'
import { linkSandboxBank } from '../helpers/linked-client.js'
import { startCountingServer, startFaultyBroker, type ArmedFault, type Fault, type FaultyBroker, type Match } from '../helpers/fault-server.js'


/**
 * Small timeouts and deadline so stalls cost a second, not 15 s / 30 s, and a small backoff base so
 * jittered retries stay short; the 20 MiB cap, 3 attempts and the Retry-After rules are production's.
 */
const LIMITS = { headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000, deadlineMs: 8_000, backoffBaseMs: 100 }
/** Text only the provider says: it must never reach the Odoo user. */
const PROVIDER_TEXT = 'PROVIDER-ONLY: NullPointerException at db-shard-7.internal'
/** A hard stop so a hanging call fails the test instead of stalling the run. */
const HANG_MS = 25_000

const broker = await startFaultyBroker(t, LIMITS)
const internal = await startCountingServer(t)

const COUNTRY: Record<ProviderId, string> = { plaid: 'US', yodlee: 'US', saltedge: 'BE', ponto: 'BE', enablebanking: 'FI' }
const PROVIDERS = Object.keys(COUNTRY) as ProviderId[]

/** The first transaction-data call of each provider's sync: all idempotent reads. */
const READS: Record<ProviderId, Match> = {
  plaid: (m, p) => m === 'POST' && p === '/sandbox/plaid/transactions/sync',
  yodlee: (m, p) => m === 'GET' && p.startsWith('/sandbox/yodlee/transactions'),
  saltedge: (m, p) => m === 'GET' && p.startsWith('/sandbox/saltedge/transactions?'),
  ponto: (m, p) => m === 'GET' && /^\/sandbox\/ponto\/ponto-connect\/accounts\/[^/]+\/transactions/.test(p),
  enablebanking: (m, p) => m === 'GET' && /^\/sandbox\/enablebanking\/accounts\/[^/]+\/transactions/.test(p)
}

/** The write `/proxy/v1/refresh` makes at each provider, and how often it may be sent. */
const WRITES: Partial<Record<ProviderId, { match: Match, attempts: number }>> = {
  plaid: { match: (m, p) => m === 'POST' && p === '/sandbox/plaid/transactions/refresh', attempts: 1 },
  yodlee: { match: (m, p) => m === 'PUT' && p.startsWith('/sandbox/yodlee/providerAccounts?'), attempts: 1 },
  saltedge: { match: (m, p) => m === 'POST' && /^\/sandbox\/saltedge\/connections\/[^/]+\/refresh$/.test(p), attempts: 1 },
  // Ibanity's idempotency key makes the repeat return the first result, so it is retried.
  ponto: { match: (m, p) => m === 'POST' && p === '/sandbox/ponto/ponto-connect/synchronizations', attempts: 3 }
}

interface Expected {
  code: 'BSB_PROVIDER_DOWN' | 'BSB_PROVIDER_RATE_LIMITED'
  odooCode: number
  attempts: number
  providerCode?: string
  /** `Retry-After` on the broker's answer. */
  retryAfterHeader?: boolean
  /** Each retry came at least this long after the previous attempt (measured by the provider). */
  minGapMs?: number
  /** Each retry came after the HTTP-date the previous answer gave. */
  waitsForHttpDate?: boolean
  /** The user is told the next synchronization is possible this far ahead. */
  nextSyncInMs?: number
  minElapsedMs?: number
}

interface FaultCase {
  name: string
  fault: (provider: ProviderId, requestId: string) => Fault
  expected: Expected
  /** The answer carries the provider's request id (status faults). */
  sendsRequestId: boolean
}

const down = (attempts: number, providerCode?: string): Expected => ({ code: 'BSB_PROVIDER_DOWN', odooCode: 503, attempts, providerCode })
const limited = (attempts: number): Expected => ({ code: 'BSB_PROVIDER_RATE_LIMITED', odooCode: 429, attempts })
const status = (code: number, extra: () => Record<string, string> = () => ({})) => (provider: ProviderId, requestId: string): Fault => {
  const answer = providerErrorAnswer(provider, code, requestId)
  return { kind: 'respond', status: code, body: answer.body, headers: () => ({ ...answer.headers, ...extra() }) }
}

const CASES: FaultCase[] = [
  { name: '429 Retry-After: 2', fault: status(429, () => ({ 'retry-after': '2' })), expected: { ...limited(3), retryAfterHeader: true, minGapMs: 2_000 }, sendsRequestId: true },
  { name: '429 Retry-After: HTTP-date', fault: status(429, () => ({ 'retry-after': new Date(Date.now() + 2_000).toUTCString() })), expected: { ...limited(3), retryAfterHeader: true, waitsForHttpDate: true }, sendsRequestId: true },
  { name: '429 without Retry-After', fault: status(429), expected: limited(3), sendsRequestId: true },
  { name: '429 Retry-After: 3600', fault: status(429, () => ({ 'retry-after': '3600' })), expected: { ...limited(1), retryAfterHeader: true, nextSyncInMs: 3_600_000 }, sendsRequestId: true },
  { name: '500', fault: status(500), expected: down(3), sendsRequestId: true },
  { name: '502', fault: status(502), expected: down(3), sendsRequestId: true },
  { name: '503', fault: status(503), expected: down(3), sendsRequestId: true },
  { name: '504', fault: status(504), expected: down(3), sendsRequestId: true },
  { name: 'malformed JSON', fault: () => ({ kind: 'respond', status: 200, body: `{"transactions": [{"id": "a", "note": "${PROVIDER_TEXT}"` }), expected: down(1, 'bad_response'), sendsRequestId: false },
  { name: 'truncated body', fault: () => ({ kind: 'truncated', declaredBytes: 50_000, sentBytes: 1_000 }), expected: down(3, 'connection_failed'), sendsRequestId: false },
  { name: '302 to an internal address', fault: () => ({ kind: 'respond', status: 302, headers: { location: `${internal.url}/latest/meta-data/` } }), expected: down(1, 'redirect_refused'), sendsRequestId: false },
  { name: 'no headers (headers timeout)', fault: () => ({ kind: 'silent' }), expected: down(3, 'timeout'), sendsRequestId: false },
  { name: 'body stalls (body timeout)', fault: () => ({ kind: 'stall' }), expected: down(3, 'timeout'), sendsRequestId: false },
  { name: 'body drips forever (deadline)', fault: () => ({ kind: 'drip', everyMs: 100, maxBytes: 1_000 }), expected: { ...down(1, 'timeout'), minElapsedMs: LIMITS.deadlineMs - 100 }, sendsRequestId: false },
  { name: 'connection reset', fault: () => ({ kind: 'reset' }), expected: down(3, 'connection_failed'), sendsRequestId: false }
]

const references = new Set<string>()

t.test('transactions sync: each provider × each fault', { jobs: PROVIDERS.length }, async t => {
  for (const provider of PROVIDERS) {
    t.test(provider, async t => {
      for (const c of CASES) {
        await t.test(c.name, async t => {
          const client = await linkFreshClient(broker, provider)
          const requestId = `${provider}-req-${randomUUID()}`
          const armed = broker.faults.arm(READS[provider], c.fault(provider, requestId))
          const res = await proxyCall(broker, client, '/proxy/v1/transactions', { account_id: client.accountId, start_date: false, last_transaction_identifier: false })
          armed.disarm()
          await expectNormalisedError(t, broker, res, armed, { ...c.expected, provider, requestId: c.sendsRequestId ? requestId : null, clientId: client.link.clientId })
          if (c.name.startsWith('302')) t.equal(internal.hits(), 0, 'the redirect target was never contacted')
        })
      }
    })
  }
})

t.test('a 20 MB+ body is cut at the 20 MiB cap with bounded memory (one provider at a time)', async t => {
  const total = 64 * 1024 * 1024
  for (const provider of PROVIDERS) {
    await t.test(provider, async t => {
      const client = await linkFreshClient(broker, provider)
      const armed = broker.faults.arm(READS[provider], { kind: 'huge', bytes: total })
      const rss = sampleRss()
      const res = await proxyCall(broker, client, '/proxy/v1/transactions', { account_id: client.accountId, start_date: false, last_transaction_identifier: false })
      const growth = rss.stop()
      armed.disarm()
      await expectNormalisedError(t, broker, res, armed, { ...down(1, 'response_too_large'), provider, requestId: null, clientId: client.link.clientId })
      t.ok(armed.bytesSent < HTTP_LIMITS.maxResponseBytes + 16 * 1024 * 1024, `the provider could deliver only ${mib(armed.bytesSent)} of ${mib(total)} (cap ${mib(HTTP_LIMITS.maxResponseBytes)} plus socket buffers) before the broker hung up`)
      t.ok(growth < 50 * 1024 * 1024, `RSS grew by ${mib(growth)} (< 50 MiB) while the body arrived`)
      t.comment(`${provider}: ${mib(armed.bytesSent)} sent, RSS +${mib(growth)}, answered in ${res.elapsedMs} ms`)
    })
  }
})

t.test('refresh: a write is never repeated without an idempotency key', { jobs: PROVIDERS.length }, async t => {
  const writeFaults: Array<[string, Fault]> = [['503', { kind: 'respond', status: 503, body: '{}' }], ['connection reset', { kind: 'reset' }]]
  for (const [provider, write] of Object.entries(WRITES) as Array<[ProviderId, { match: Match, attempts: number }]>) {
    t.test(provider, async t => {
      for (const [name, fault] of writeFaults) {
        await t.test(name, async t => {
          const client = await linkFreshClient(broker, provider)
          const armed = broker.faults.arm(write.match, fault)
          const res = await proxyCall(broker, client, '/proxy/v1/refresh', { account_id: client.accountId })
          armed.disarm()
          await expectNormalisedError(t, broker, res, armed, { ...down(write.attempts), provider, requestId: null, clientId: client.link.clientId })
          const keys = new Set(armed.attempts.map(a => a.headers['ibanity-idempotency-key']))
          if (write.attempts > 1) t.ok(keys.size === 1 && !keys.has(undefined), 'every attempt carried the same idempotency key')
        })
      }
    })
  }
})

t.test('enablebanking: starting a consent (POST /auth, no idempotency key) is sent once', async t => {
  const adapter = broker.app.services.providers.get('enablebanking')!.adapter
  const institution = (await adapter.listInstitutions('FI')).find(i => i.name === 'Sandbox Ordinary Bank')!
  for (const fault of [{ kind: 'respond', status: 503, body: '{}' }, { kind: 'reset' }] as Fault[]) {
    const armed = broker.faults.arm((m, p) => m === 'POST' && p === '/sandbox/enablebanking/auth', fault)
    const err = await adapter.startConsent({ institutionId: institution.id, redirectUri: `${broker.config.publicUrl}/link/callback/enablebanking`, state: randomUUID(), lang: 'en', userEmail: 'owner@example.com', psu: { ip: '203.0.113.7', userAgent: 'test' }, existing: null }).then(() => null, (e: unknown) => e)
    armed.disarm()
    t.equal(armed.attempts.length, 1, `${fault.kind}: one attempt`)
    t.equal(toAppError(err).code, 'BSB_PROVIDER_DOWN', `${fault.kind}: normalised to BSB_PROVIDER_DOWN`)
  }
})

t.test('every failed call got its own reference', async t => {
  const expected = PROVIDERS.length * (CASES.length + 1) + Object.keys(WRITES).length * 2
  t.equal(references.size, expected, `${references.size} distinct references`)
})

interface LinkedClient { link: OdooLink, dbUuid: string, accountId: string }

/**
 * A new link per case: a 429 puts the client in a provider cool-down that would hide the next fault.
 * Linking is set-up, not under test: a try that a loaded machine made time out is made again.
 */
async function linkFreshClient (h: FaultyBroker, provider: ProviderId): Promise<LinkedClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await linkOnce(h, provider)
    } catch (err) {
      if (attempt >= 3) throw err
    }
  }
}

async function linkOnce (h: FaultyBroker, provider: ProviderId): Promise<LinkedClient> {
  const dbUuid = `db-faults-${provider}-${randomUUID().slice(0, 8)}`
  await h.app.services.subscriptions.set(dbUuid, 'enterprise', '2099-12-31', 'test')
  const link = await linkSandboxBank(h, provider, COUNTRY[provider], 'Sandbox Ordinary Bank', dbUuid)
  const accounts = (await signedCall(h.app, '/proxy/v1/accounts', link, {}, { dbUuid })).body
  if (accounts.result === undefined) throw new Error(`accounts failed: ${JSON.stringify(accounts.error)}`)
  return { link, dbUuid, accountId: accounts.result.accounts[0].online_identifier }
}

interface ProxyAnswer { body: any, headers: Record<string, unknown>, elapsedMs: number }

async function proxyCall (h: FaultyBroker, client: LinkedClient, path: string, fields: Record<string, unknown>): Promise<ProxyAnswer> {
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${path} did not answer within ${HANG_MS} ms`)), HANG_MS) })
  try {
    const res = await Promise.race([signedCall(h.app, path, client.link, fields, { dbUuid: client.dbUuid, serverVersion: '17.0' }), hang])
    return { ...res, elapsedMs: Date.now() - started }
  } finally {
    clearTimeout(timer)
  }
}

/** What each provider really sends on an error: its own body shape and where it puts its request id. */
function providerErrorAnswer (provider: ProviderId, status: number, requestId: string): { body: string, headers: Record<string, string> } {
  const limited = status === 429
  switch (provider) {
    case 'plaid': return { headers: {}, body: JSON.stringify({ error_type: limited ? 'RATE_LIMIT_EXCEEDED' : 'API_ERROR', error_code: limited ? 'TRANSACTIONS_SYNC_LIMIT' : 'INTERNAL_SERVER_ERROR', error_message: PROVIDER_TEXT, display_message: PROVIDER_TEXT, request_id: requestId }) }
    case 'yodlee': return { headers: {}, body: JSON.stringify({ errorCode: limited ? 'Y429' : 'Y902', errorMessage: PROVIDER_TEXT, referenceCode: requestId }) }
    case 'saltedge': return { headers: { 'x-request-id': requestId }, body: JSON.stringify({ error: { class: limited ? 'RateLimitExceeded' : 'InternalServerError', message: PROVIDER_TEXT } }) }
    case 'ponto': return { headers: { 'ibanity-request-id': requestId }, body: JSON.stringify({ errors: [{ code: limited ? 'tooManyRequests' : 'internalServerError', detail: PROVIDER_TEXT, meta: { requestId } }] }) }
    case 'enablebanking': return { headers: { 'x-request-id': requestId }, body: JSON.stringify({ message: PROVIDER_TEXT, code: status, error: limited ? 'ASPSP_RATE_LIMIT_EXCEEDED' : 'ASPSP_ERROR', detail: PROVIDER_TEXT }) }
  }
}

/** Checks what the Odoo user, the provider and support each see. */
async function expectNormalisedError (t: Test, h: FaultyBroker, res: ProxyAnswer, armed: ArmedFault, e: Expected & { provider: ProviderId, requestId: string | null, clientId: string }): Promise<void> {
  const err = res.body?.error
  t.ok(err !== undefined && res.body.result === undefined, `the Odoo client gets an error envelope: ${JSON.stringify(res.body).slice(0, 300)}`)
  t.equal(res.body.jsonrpc, '2.0')
  t.equal(err?.data?.exception_type, e.code, 'normalised error code')
  t.equal(err?.code, e.odooCode, 'Odoo error.code of that error')
  const reference = err?.data?.error_reference
  t.match(reference, /^ref_[0-9a-z]{20}$/, 'with an error reference')
  t.equal(res.headers['x-error-reference'], reference, 'the reference is also in x-error-reference')
  t.notOk(JSON.stringify(res.body).includes('PROVIDER-ONLY'), 'no provider text reaches the user')
  if (typeof reference === 'string') references.add(reference)
  t.ok(h.logs.some(line => line.includes(String(reference))), 'the failure is in the log under its reference')

  t.equal(armed.attempts.length, e.attempts, `the provider saw ${e.attempts} attempt(s)`)
  t.ok(armed.attempts.length <= HTTP_LIMITS.maxAttempts, 'never more than 3 attempts')
  t.ok(res.elapsedMs <= LIMITS.deadlineMs + 5_000, `answered in ${res.elapsedMs} ms (deadline ${LIMITS.deadlineMs} ms)`)
  if (e.minElapsedMs !== undefined) t.ok(res.elapsedMs >= e.minElapsedMs, `held until the deadline (${res.elapsedMs} ms)`)
  const gaps = armed.attempts.slice(1).map((a, i) => a.at - armed.attempts[i]!.at)
  if (e.minGapMs !== undefined) t.ok(gaps.every(g => g >= e.minGapMs!), `Retry-After honoured: retries ${gaps.map(Math.round).join(', ')} ms after the previous attempt`)
  if (e.waitsForHttpDate === true) {
    const early = armed.attempts.slice(1).filter((a, i) => a.wall < Date.parse(armed.attempts[i]!.answered?.['retry-after'] ?? ''))
    t.equal(early.length, 0, `no retry before the HTTP-date (gaps ${gaps.map(Math.round).join(', ')} ms)`)
  }
  if (e.retryAfterHeader === true) t.match(res.headers['retry-after'], /^[1-9]\d*$/, `Retry-After passed to the client (${String(res.headers['retry-after'])})`)
  if (e.nextSyncInMs !== undefined) {
    const when = /after (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC/.exec(String(err?.data?.message))
    const at = when === null ? Number.NaN : Date.parse(`${when[1]!.replace(' ', 'T')}:00Z`)
    t.ok(Math.abs(at - Date.now() - e.nextSyncInMs) < 3 * 60_000, `the user is told when the next synchronization is possible: ${String(err?.data?.message)}`)
  }

  const rec = await errorRecord(h, String(reference))
  t.ok(rec !== null, 'support finds the error record')
  t.equal(rec?.provider, e.provider, 'the record names the provider')
  t.equal(rec?.code, e.code)
  t.equal(rec?.client_id, e.clientId, 'and the client')
  t.equal(rec?.provider_request_id, e.requestId, e.requestId === null ? 'no provider request id was sent' : 'and the provider\'s request id')
  if (e.providerCode !== undefined) t.equal(rec?.provider_code, e.providerCode, `provider_code ${e.providerCode}`)
}

/**
 * The record is written in the background when Redis is slower than the error path waits for
 * (error-handler.ts, 300 ms), so support may see it a moment later: poll, bounded.
 */
async function errorRecord (h: FaultyBroker, reference: string): Promise<Record<string, unknown> | null> {
  const authorization = `Bearer ${await h.adminToken()}`
  for (let i = 0; i < 20; i++) {
    const res = await h.app.inject({ method: 'GET', url: `/admin/errors/${reference}`, headers: { authorization } })
    if (res.statusCode === 200) return res.json()
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return null
}

function sampleRss (): { stop: () => number } {
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 5)
  return { stop: () => { clearInterval(timer); peak = Math.max(peak, process.memoryUsage().rss); return peak - base } }
}

function mib (bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
