/**
 * The broker's SMS port: one-time codes through Twilio Verify with the official SDK. In sandbox
 * mode only the SDK's HTTP layer is swapped (undici, aimed at the local sandbox), so the SDK's
 * real request building and response/error parsing run over loopback and nothing reaches Twilio.
 */
import twilio from 'twilio'
import { request, type Dispatcher } from 'undici'

export type SmsErrorKind = 'too_many_sends' | 'too_many_checks' | 'invalid_number' | 'expired' | 'blocked' | 'unavailable'

export class SmsError extends Error {
  readonly kind: SmsErrorKind
  readonly twilioCode?: number
  readonly status?: number
  /** Our Twilio settings are wrong (credentials, service SID): an ops problem, not the user's. */
  readonly misconfigured: boolean
  constructor (kind: SmsErrorKind, message: string, details: { twilioCode?: number, status?: number, misconfigured?: boolean } = {}) {
    super(message)
    this.name = 'SmsError'
    this.kind = kind
    this.twilioCode = details.twilioCode
    this.status = details.status
    this.misconfigured = details.misconfigured ?? false
  }
}

/** Structural subset of pino's logger. */
export interface SmsLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
}

export interface SmsVerifierOptions {
  accountSid: string
  authToken: string
  serviceSid: string
  /** Sandbox mode: absolute URL of the mounted sandbox, e.g. `http://127.0.0.1:3000/sandbox/twilio`. */
  sandboxBaseUrl?: string
  logger?: SmsLogger
  /** Upper bound for one Twilio call, in ms (default 10 000). */
  timeoutMs?: number
  /** Sandbox mode only: undici dispatcher (defaults to undici's global one). */
  dispatcher?: Dispatcher
}

export interface SmsVerifier {
  send: (to: string) => Promise<{ status: 'pending', sid: string }>
  check: (to: string, code: string) => Promise<{ approved: boolean }>
}

const INVALID_NUMBER = new Set([60200, 60205, 60033, 21211, 21614])
const BLOCKED = new Set([60410, 60605, 21610])
const MAX_RESPONSE_BYTES = 1024 * 1024
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length'])
const TWILIO_VERIFY_HOST = /^verify(\.[a-z0-9-]+)*\.twilio\.com$/

export const maskPhone = (phone: string): string => `***${phone.slice(-2)}`

/** What BaseTwilio passes to `httpClient.request` (twilio/lib/base/BaseTwilio.js). */
interface SdkRequest {
  method: string
  uri: string
  username?: string
  password?: string
  authStrategy?: { getAuthString: () => Promise<string> }
  headers?: Record<string, string>
  params?: object
  data?: object
}

function appendForm (target: URLSearchParams, values: object | undefined): void {
  for (const [key, value] of Object.entries(values ?? {})) {
    if (value === undefined || value === null) continue
    for (const v of Array.isArray(value) ? value : [value]) target.append(key, String(v))
  }
}

async function readCapped (body: AsyncIterable<Buffer>, cap: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > cap) throw new Error('Twilio response too large')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A RequestClient look-alike: same contract as twilio's (resolves `{ statusCode, body, headers }` for any status). */
function sandboxHttpClient (baseUrl: string, timeoutMs: number, dispatcher?: Dispatcher): { request: (opts: SdkRequest) => Promise<unknown> } {
  const base = baseUrl.replace(/\/+$/, '')
  return {
    async request (opts) {
      const original = new URL(opts.uri)
      // Anything but Verify would silently leave the sandbox: refuse rather than reach the internet.
      if (!TWILIO_VERIFY_HOST.test(original.hostname)) throw new Error(`sandbox mode: refusing to call ${original.hostname}`)
      const url = new URL(base + original.pathname)
      appendForm(url.searchParams, opts.params)
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(opts.headers ?? {})) if (!HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v
      if (opts.username !== undefined && opts.password !== undefined) {
        headers.Authorization = 'Basic ' + Buffer.from(`${opts.username}:${opts.password}`).toString('base64')
      } else if (opts.authStrategy !== undefined) {
        headers.Authorization = await opts.authStrategy.getAuthString()
      }
      let body: string | undefined
      if (opts.data !== undefined && opts.method.toLowerCase() !== 'get') {
        const form = new URLSearchParams()
        appendForm(form, opts.data)
        body = form.toString()
      }
      const res = await request(url, {
        method: opts.method.toUpperCase() as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs
      })
      return { statusCode: res.statusCode, body: await readCapped(res.body, MAX_RESPONSE_BYTES), headers: res.headers }
    }
  }
}

async function withDeadline<T> (work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new SmsError('unavailable', `Twilio did not answer within ${ms} ms`)) }, ms)
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** Maps Twilio's RestException (`status`, `code`) to the port's error; never keeps Twilio's message (it may echo the number). */
export function toSmsError (err: unknown, op: 'send' | 'check'): SmsError {
  if (err instanceof SmsError) return err
  const e = (typeof err === 'object' && err !== null ? err : {}) as { status?: unknown, code?: unknown }
  const status = typeof e.status === 'number' ? e.status : undefined
  const code = typeof e.code === 'number' ? e.code : undefined
  if (status === undefined) return new SmsError('unavailable', 'Twilio could not be reached')
  const details = { twilioCode: code, status }
  if (code === 60203 || code === 60212) return new SmsError('too_many_sends', 'too many codes sent to this number', details)
  if (code === 60202) return new SmsError('too_many_checks', 'too many wrong codes; request a new one later', details)
  if (code !== undefined && INVALID_NUMBER.has(code)) return new SmsError('invalid_number', 'the phone number cannot receive codes', details)
  if (code !== undefined && BLOCKED.has(code)) return new SmsError('blocked', 'Twilio blocked delivery to this number', details)
  if (op === 'check' && (code === 20404 || status === 404)) return new SmsError('expired', 'no pending code: expired, used or never sent', details)
  const misconfigured = status === 401 || status === 403 || status === 404 || code === 20003
  return new SmsError('unavailable', misconfigured ? 'Twilio rejected the broker\'s settings' : `Twilio answered HTTP ${status}`, { ...details, misconfigured })
}

export function createSmsVerifier (opts: SmsVerifierOptions): SmsVerifier {
  const timeoutMs = opts.timeoutMs ?? 10_000
  const httpClient = opts.sandboxBaseUrl === undefined
    ? undefined
    : sandboxHttpClient(opts.sandboxBaseUrl, timeoutMs, opts.dispatcher) as unknown as twilio.RequestClient
  const client = twilio(opts.accountSid, opts.authToken, { httpClient, timeout: timeoutMs, autoRetry: false })
  const service = client.verify.v2.services(opts.serviceSid)

  function fail (err: unknown, op: 'send' | 'check', to: string): SmsError {
    const error = toSmsError(err, op)
    opts.logger?.warn({ op, phone: maskPhone(to), kind: error.kind, twilioCode: error.twilioCode, status: error.status }, 'sms verification failed')
    return error
  }

  return {
    async send (to) {
      try {
        const v = await withDeadline(service.verifications.create({ to, channel: 'sms' }), timeoutMs)
        if (v.status !== 'pending') throw new SmsError('unavailable', `unexpected verification status ${v.status}`)
        opts.logger?.info({ phone: maskPhone(to), sid: v.sid }, 'sms code sent')
        return { status: 'pending', sid: v.sid }
      } catch (err) {
        throw fail(err, 'send', to)
      }
    },
    async check (to, code) {
      // A malformed code can never match; don't spend one of Twilio's five check attempts on it.
      if (!/^\d{4,10}$/.test(code)) return { approved: false }
      try {
        const c = await withDeadline(service.verificationChecks.create({ to, code }), timeoutMs)
        opts.logger?.info({ phone: maskPhone(to), approved: c.status === 'approved' }, 'sms code checked')
        return { approved: c.status === 'approved' }
      } catch (err) {
        throw fail(err, 'check', to)
      }
    }
  }
}
