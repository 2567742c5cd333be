/**
 * The one outbound HTTP path for every adapter: undici with a deadline, header/body timeouts, a
 * response-size cap, no redirects, and bounded retries (only when the caller says the call is
 * idempotent) with full jitter and `Retry-After` honoured (reliability.md §3.2).
 */
import { Agent, request, type Dispatcher } from 'undici'
import { ProviderError } from './errors.js'
import type { ProviderId } from './types.js'

export interface HttpLimits {
  connectTimeoutMs: number
  headersTimeoutMs: number
  bodyTimeoutMs: number
  maxResponseBytes: number
  deadlineMs: number
  maxAttempts: number
  backoffBaseMs: number
  backoffCapMs: number
  maxRetryAfterMs: number
}

export const HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  maxResponseBytes: 20 * 1024 * 1024,
  deadlineMs: 30_000,
  maxAttempts: 3,
  backoffBaseMs: 500,
  backoffCapMs: 5_000,
  maxRetryAfterMs: 30_000
})

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504])
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/**
 * Retry budget: each request earns 0.1 retry token, each retry spends one, so retries stay below
 * ~10% of traffic when a provider is down (Google SRE "retry budget").
 */
interface RetryBudget { tokens: number, max: number }
const processRetryBudget: RetryBudget = { tokens: 10, max: 10 }
function earnRetryToken (budget: RetryBudget): void { budget.tokens = Math.min(budget.max, budget.tokens + 0.1) }
function spendRetryToken (budget: RetryBudget): boolean {
  if (budget.tokens < 1) return false
  budget.tokens -= 1
  return true
}

/** Limits and retry budget of the agents made with overrides; every other dispatcher gets the production ones. */
const tunedAgents = new WeakMap<Dispatcher, { limits: HttpLimits, budget: RetryBudget }>()

export interface ProviderAgentOptions extends Partial<HttpLimits> {
  /** Retry tokens of this agent's own budget (default: the process-wide budget of 10). */
  retryBudgetTokens?: number
}

/**
 * An undici Agent set up like the production one. Given overrides, `callProvider` enforces those
 * limits (and a retry budget of the agent's own) on calls through it: fault-injection tests use
 * this so that a stalled body costs a second rather than 15 s. Production never passes overrides.
 */
export function createProviderAgent (options: ProviderAgentOptions = {}): Agent {
  const { retryBudgetTokens, ...overrides } = options
  const limits: HttpLimits = { ...HTTP_LIMITS, ...overrides }
  const agent = new Agent({
    connect: { timeout: limits.connectTimeoutMs },
    headersTimeout: limits.headersTimeoutMs,
    bodyTimeout: limits.bodyTimeoutMs,
    maxResponseSize: limits.maxResponseBytes,
    keepAliveTimeout: 4_000
  })
  if (Object.keys(options).length > 0) {
    const tokens = retryBudgetTokens ?? processRetryBudget.max
    tunedAgents.set(agent, { limits, budget: { tokens, max: tokens } })
  }
  return agent
}

let defaultAgent: Agent | undefined
/** The shared agent used when an adapter is given no dispatcher. */
export function defaultDispatcher (): Dispatcher {
  defaultAgent ??= createProviderAgent()
  return defaultAgent
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Raw body text (already size-checked). */
  text: string
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: unknown
}

export interface HttpCall {
  provider: ProviderId
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'
  url: string
  headers?: Record<string, string>
  /** String bodies are sent as-is; objects are JSON-encoded. */
  body?: string | object
  /** Retry only when repeating the call cannot cause a second side effect. */
  idempotent: boolean
  dispatcher?: Dispatcher
  deadlineMs?: number
  /** Turns a non-2xx response into the provider's taxonomy error. */
  mapError: (res: RawResponse) => ProviderError
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export function header (res: { headers: RawResponse['headers'] }, name: string): string | null {
  const v = res.headers[name.toLowerCase()]
  if (v === undefined) return null
  return Array.isArray(v) ? (v[0] ?? null) : v
}

/** `Retry-After` as milliseconds (delay-seconds or HTTP-date), or null. */
export function retryAfterMs (value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  if (Number.isNaN(at)) return null
  return Math.max(0, at - now)
}

export function fullJitterDelay (attempt: number, random: () => number = Math.random, limits: Readonly<HttpLimits> = HTTP_LIMITS): number {
  const ceiling = Math.min(limits.backoffCapMs, limits.backoffBaseMs * 2 ** attempt)
  return Math.floor(random() * ceiling)
}

const realSleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Performs the call and returns the 2xx response; throws `ProviderError` otherwise. */
export async function callProvider (call: HttpCall): Promise<RawResponse> {
  const now = call.now ?? Date.now
  const sleep = call.sleep ?? realSleep
  const tuned = call.dispatcher !== undefined ? tunedAgents.get(call.dispatcher) : undefined
  const limits = tuned?.limits ?? HTTP_LIMITS
  const budget = tuned?.budget ?? processRetryBudget
  const deadline = now() + (call.deadlineMs ?? limits.deadlineMs)
  earnRetryToken(budget)
  for (let attempt = 1; ; attempt++) {
    let failure: ProviderError
    let waitMs: number | null = null
    try {
      const res = await once(call, deadline - now(), limits)
      if (res.status >= 200 && res.status < 300) return res
      failure = res.status >= 300 && res.status < 400
        ? new ProviderError({ provider: call.provider, kind: 'provider_down', message: `provider answered a redirect (${res.status}); redirects are never followed`, httpStatus: res.status, providerCode: 'redirect_refused' })
        : call.mapError(res)
      if (!RETRYABLE_STATUS.has(res.status)) throw failure
      const ra = retryAfterMs(header(res, 'retry-after'), now())
      if (ra !== null) {
        if (ra > limits.maxRetryAfterMs) throw withRetryAfter(failure, ra)
        waitMs = ra
      }
    } catch (err) {
      if (err instanceof ProviderError) {
        if (!isRetryableError(err)) throw err
        failure = err
      } else {
        failure = transportError(call.provider, err)
        if (!RETRYABLE_CODES.has(errCode(err))) throw failure
      }
    }
    if (!call.idempotent || attempt >= limits.maxAttempts) throw failure
    const delay = waitMs ?? fullJitterDelay(attempt, Math.random, limits)
    if (now() + delay >= deadline || !spendRetryToken(budget)) throw failure
    await sleep(delay)
  }
}

function isRetryableError (err: ProviderError): boolean {
  return err.providerCode === 'timeout' || err.providerCode === 'connection_failed'
}

function withRetryAfter (err: ProviderError, ms: number): ProviderError {
  return new ProviderError({ provider: err.provider, kind: err.kind, message: err.message, providerCode: err.providerCode, providerRequestId: err.providerRequestId, httpStatus: err.httpStatus, retryAfterSeconds: Math.ceil(ms / 1000), nextAllowedAt: err.nextAllowedAt })
}

function errCode (err: unknown): string {
  return (err as { code?: string } | null)?.code ?? ''
}

function transportError (provider: ProviderId, err: unknown): ProviderError {
  const code = errCode(err)
  const timeout = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || (err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError'
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE' || code === 'response_too_large') {
    return new ProviderError({ provider, kind: 'provider_down', message: 'provider response exceeded the size limit', providerCode: 'response_too_large', cause: err })
  }
  return new ProviderError({
    provider,
    kind: 'provider_down',
    message: timeout ? 'provider did not answer in time' : `provider connection failed (${code || 'unknown'})`,
    providerCode: timeout ? 'timeout' : 'connection_failed',
    cause: err
  })
}

async function once (call: HttpCall, remainingMs: number, limits: Readonly<HttpLimits>): Promise<RawResponse> {
  if (remainingMs <= 0) throw Object.assign(new Error('deadline exceeded'), { name: 'TimeoutError' })
  const headers: Record<string, string> = { accept: 'application/json', ...call.headers }
  let body: string | undefined
  if (typeof call.body === 'string') body = call.body
  else if (call.body !== undefined) {
    body = JSON.stringify(call.body)
    headers['content-type'] ??= 'application/json'
  }
  const res = await request(call.url, {
    method: call.method,
    headers,
    body,
    dispatcher: call.dispatcher ?? defaultDispatcher(),
    signal: AbortSignal.timeout(remainingMs),
    headersTimeout: limits.headersTimeoutMs,
    bodyTimeout: limits.bodyTimeoutMs
  })
  const text = await readCapped(res.body, limits.maxResponseBytes)
  let json: unknown
  if (text.length > 0) {
    try { json = JSON.parse(text) } catch { json = undefined }
  }
  return { status: res.statusCode, headers: res.headers, text, json }
}

async function readCapped (body: AsyncIterable<Buffer> & { destroy?: (err?: Error) => void }, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > limit) {
      const err = Object.assign(new Error('response too large'), { code: 'response_too_large' })
      body.destroy?.(err)
      throw err
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** For 2xx responses whose body must be JSON: throws a `provider_down` error on garbage. */
export function expectJson<T = unknown> (provider: ProviderId, res: RawResponse): T {
  if (res.json === undefined || res.json === null || typeof res.json !== 'object') {
    throw new ProviderError({ provider, kind: 'provider_down', message: 'provider answered a body that is not the expected JSON', providerCode: 'bad_response', httpStatus: res.status })
  }
  return res.json as T
}

/** The default mapping by HTTP status, for adapters to fall back on. */
export function kindForStatus (status: number): ProviderError['kind'] {
  if (status === 429) return 'rate_limited'
  if (status === 401 || status === 403) return 'misconfigured'
  if (status >= 500) return 'provider_down'
  return 'invalid_request'
}
