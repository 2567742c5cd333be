/**
 * Request rate limits on Redis, shared by every instance. With @fastify/rate-limit: `/admin/*` per
 * source IP and per admin (JWT `sub`), and `/proxy/*` per source IP for every request that does
 * not carry a signed client's headers. Signed proxy requests are limited per client inside the
 * gate's single Redis round trip (src/store/gate-script.ts) — many Odoo databases share one egress
 * IP, so their budgets must not be pooled — and count against their source IP only when their
 * authentication fails (countFailedAuthentication). Per-IP limits run as an app-level onRequest
 * hook (before admin authentication, and on 404s); the per-admin limit as a route hook (after
 * it, so `req.admin` is known). Proxy refusals are AppErrors rendered in the Odoo envelope with
 * a reference; admin ones are 429 problem+json with `Retry-After` and `RateLimit-*` headers.
 * When Redis fails the counters fall back to this process's memory (limits still hold, per
 * instance) rather than fail open.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'

type Surface = 'proxy' | 'admin' | null

const surfaceOf = (req: FastifyRequest): Surface => req.url.startsWith('/proxy/') ? 'proxy' : req.url.startsWith('/admin/') ? 'admin' : null
const NONE = '-'
const SIGNED_HEADERS = ['odoofin-client-id', 'odoofin-access-token', 'odoofin-timestamp', 'odoofin-signature'] as const

const principalOf = (req: FastifyRequest): string => surfaceOf(req) === 'admin' && req.admin !== null ? `admin:u:${req.admin.subject}` : NONE
const ipKey = (surface: string, ip: string): string => `${surface}:ip:${ip}`

/** A proxy request claiming a client: the gate limits it per client, and per IP if it fails to authenticate. */
function claimsClient (req: FastifyRequest): boolean {
  for (const name of SIGNED_HEADERS) {
    const v = req.headers[name]
    if (typeof v !== 'string' || v.length === 0) return false
  }
  return true
}

/** INCR and PEXPIRE in one script: a window always gets its TTL, even if the process dies between the two. */
const INCR_LUA = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`

const MEMORY_KEYS = 10_000

/** Fixed windows in this process's memory, bounded (oldest window dropped first). */
function memoryCounter () {
  const windows = new Map<string, { n: number, resetAt: number }>()
  return (key: string, windowMs: number): { current: number, ttl: number } => {
    const now = Date.now()
    let w = windows.get(key)
    if (w === undefined || w.resetAt <= now) {
      windows.delete(key)
      if (windows.size >= MEMORY_KEYS) windows.delete(windows.keys().next().value as string)
      w = { n: 0, resetAt: now + windowMs }
      windows.set(key, w)
    }
    w.n++
    return { current: w.n, ttl: w.resetAt - now }
  }
}

type IncrCallback = (err: Error | null, res?: { current: number, ttl: number }) => void

/**
 * A limiter waits this long for Redis, then counts in memory: with a hung Redis the gate behind it
 * still needs its own 500 ms command timeout and the error record its 300 ms inside one second.
 */
const REDIS_WAIT_MS = 100
/** After a failure, both limiters skip Redis this long, so one slow Redis costs one wait, not one per limiter. */
const SKIP_AFTER_FAILURE_MS = 2_000
const skipUntil = new WeakMap<object, number>()

function withTimeout<T> (work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false
    work.then(v => { settled = true; resolve(v) }, err => { settled = true; reject(err) })
    // setImmediate runs after the poll phase: a reply that arrived while the loop was busy is read first,
    // so a blocked event loop (a burst of requests) is not mistaken for a slow Redis.
    setTimeout(() => setImmediate(() => { if (!settled) reject(new Error(`rate-limit store: no answer in ${ms} ms`)) }), ms)
  })
}

/** The store class @fastify/rate-limit instantiates (`new Store(params)`), bound to our Redis and key prefix. */
export function redisStoreClass (s: Services, name: string) {
  const memory = memoryCounter()
  const prefix = s.keys.rateLimit()
  let degraded = false
  const redis = s.redis as unknown as { bsbRateLimit?: (key: string, windowMs: number) => Promise<[number, number]> }
  if (redis.bsbRateLimit === undefined) s.redis.defineCommand('bsbRateLimit', { numberOfKeys: 1, lua: INCR_LUA })
  const fallback = (key: string, timeWindow: number, cb: IncrCallback, err: Error): void => {
    if (!degraded) s.log?.warn({ limiter: name, err: err.message }, 'rate limits fall back to process memory while Redis fails')
    degraded = true
    cb(null, memory(key, timeWindow))
  }
  return class RedisRateLimitStore {
    incr (key: string, cb: IncrCallback, timeWindow: number): void {
      if (s.redis.status !== 'ready' || (skipUntil.get(s.redis) ?? 0) > Date.now()) return fallback(key, timeWindow, cb, new Error(`redis ${s.redis.status}`))
      withTimeout((redis.bsbRateLimit as NonNullable<typeof redis.bsbRateLimit>)(prefix + key, timeWindow), REDIS_WAIT_MS).then(([current, ttl]) => {
        degraded = false
        cb(null, { current, ttl })
      }, (err: Error) => {
        skipUntil.set(s.redis, Date.now() + SKIP_AFTER_FAILURE_MS)
        fallback(key, timeWindow, cb, err)
      })
    }

    child (): RedisRateLimitStore { return new RedisRateLimitStore() }
  }
}

const refuse = (what: string) => (_req: FastifyRequest, ctx: { max: number, ttl: number }): AppError =>
  new AppError('BSB_RATE_LIMITED', { detail: `${what}: more than ${ctx.max} requests per window`, retryAfterSeconds: Math.max(1, Math.ceil(ctx.ttl / 1000)) })

export const rateLimitPlugin = fp(async function rateLimits (app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services
  const l = s.config.rateLimits
  const common = { timeWindow: l.windowMs, enableDraftSpec: true, skipOnError: false }

  // Per IP: registered first so `app.rateLimit` is this registration's (each registration has its own "ran" flag).
  await app.register(rateLimit, { ...common, global: false, store: redisStoreClass(s, 'ip'), errorResponseBuilder: refuse('source IP') })
  const perIp = app.rateLimit({
    ...common,
    keyGenerator: req => ipKey(surfaceOf(req) ?? 'other', req.ip),
    max: req => surfaceOf(req) === 'admin' ? l.adminPerIp : l.proxyPerIp,
    errorResponseBuilder: refuse('source IP')
  })
  // Only /proxy/* and /admin/*; a signed proxy request is limited per client by the gate (and skips the
  // limiter's own work, on the hot path).
  app.addHook('onRequest', function perIpUnlessSigned (req, reply, done) {
    const surface = surfaceOf(req)
    if (surface === null || (surface === 'proxy' && claimsClient(req))) done()
    else perIp.call(this, req, reply).then(() => done(), done)
  })

  // the per-admin limiter below is global, but a /proxy/* request has no admin to limit: spare that hot path its hook
  app.addHook('onRoute', route => {
    if (route.url.startsWith('/proxy/') && route.config?.rateLimit === undefined) route.config = { ...route.config, rateLimit: false }
  })
  await app.register(rateLimit, {
    ...common,
    global: true,
    store: redisStoreClass(s, 'principal'),
    keyGenerator: principalOf,
    max: l.adminPerUser,
    allowList: (_req, key) => key === NONE,
    errorResponseBuilder: refuse('client')
  })

}, { name: 'bsb-rate-limit', dependencies: ['error-handler'] })

/**
 * Counts a signed-looking proxy request that failed authentication (or could not be checked) against
 * its source IP, in the same window as the per-IP limiter; over the limit the caller gets
 * BSB_RATE_LIMITED instead. While Redis fails it counts in process memory, like the limiter.
 */
export async function countFailedAuthentication (s: Services, req: FastifyRequest): Promise<void> {
  const l = s.config.rateLimits
  const key = ipKey('proxy', req.ip)
  const redis = s.redis as unknown as { bsbRateLimit?: (key: string, windowMs: number) => Promise<[number, number]> }
  let counted: { current: number, ttl: number }
  if (redis.bsbRateLimit === undefined || s.redis.status !== 'ready' || (skipUntil.get(s.redis) ?? 0) > Date.now()) {
    counted = failureMemory(s)(key, l.windowMs)
  } else {
    try {
      const [current, ttl] = await withTimeout(redis.bsbRateLimit(s.keys.rateLimit() + key, l.windowMs), REDIS_WAIT_MS)
      counted = { current, ttl }
    } catch {
      skipUntil.set(s.redis, Date.now() + SKIP_AFTER_FAILURE_MS)
      counted = failureMemory(s)(key, l.windowMs)
    }
  }
  if (counted.current > l.proxyPerIp) {
    throw new AppError('BSB_RATE_LIMITED', { detail: `source IP: more than ${l.proxyPerIp} failed requests per window`, retryAfterSeconds: Math.max(1, Math.ceil(counted.ttl / 1000)) })
  }
}

const failureCounters = new WeakMap<Services, ReturnType<typeof memoryCounter>>()

function failureMemory (s: Services): ReturnType<typeof memoryCounter> {
  let counter = failureCounters.get(s)
  if (counter === undefined) failureCounters.set(s, counter = memoryCounter())
  return counter
}
