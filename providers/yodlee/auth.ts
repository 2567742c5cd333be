/**
 * Yodlee client-credentials tokens: `POST /auth/token` (form `clientId`/`secret`, header `loginName`),
 * cached per loginName until shortly before `expiresIn` (30 min by default).
 * @see https://developer.yodlee.com/docs/api/1.1/getting-started-with-cch
 */
import type { Dispatcher } from 'undici'
import { callProvider, expectJson } from '../http.js'
import { badResponse, mapYodleeError } from './errors.js'
import type { YodleeCredentials } from './credentials.js'

export const API_VERSION = '1.1'
/** Fetch a new token this long before the old one expires. */
const EXPIRY_MARGIN_MS = 120_000
const MAX_CACHED = 1_000

export interface TokenSourceOptions {
  baseUrl: string
  credentials: YodleeCredentials
  dispatcher?: Dispatcher
  now: () => number
  deadlineMs?: number
  sleep?: (ms: number) => Promise<void>
}

interface Cached { token: string, refreshAt: number }

export interface TokenSource {
  get: (loginName: string) => Promise<string>
  /** Forgets a token the provider refused (Y008/Y020/Y023). */
  drop: (loginName: string) => void
}

export function createTokenSource (opts: TokenSourceOptions): TokenSource {
  const cache = new Map<string, Cached>()
  const inFlight = new Map<string, Promise<string>>()

  async function fetchToken (loginName: string): Promise<string> {
    const res = await callProvider({
      provider: 'yodlee',
      method: 'POST',
      url: `${opts.baseUrl.replace(/\/+$/, '')}/auth/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', loginName, 'Api-Version': API_VERSION },
      body: new URLSearchParams({ clientId: opts.credentials.clientId, secret: opts.credentials.secret }).toString(),
      // Issuing a token (and registering an unknown loginName) has no effect a repeat could double.
      idempotent: true,
      dispatcher: opts.dispatcher,
      deadlineMs: opts.deadlineMs,
      mapError: res => mapYodleeError(res, opts.now),
      now: opts.now,
      sleep: opts.sleep
    })
    const body = expectJson<{ token?: { accessToken?: unknown, expiresIn?: unknown } }>('yodlee', res)
    const token = body.token?.accessToken
    if (typeof token !== 'string' || token === '') throw badResponse('Yodlee /auth/token answered without token.accessToken')
    const expiresIn = typeof body.token?.expiresIn === 'number' && body.token.expiresIn > 0 ? body.token.expiresIn : 1800
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string)
    cache.set(loginName, { token, refreshAt: opts.now() + Math.max(0, expiresIn * 1000 - EXPIRY_MARGIN_MS) })
    return token
  }

  return {
    async get (loginName) {
      const hit = cache.get(loginName)
      if (hit !== undefined && opts.now() < hit.refreshAt) return hit.token
      const running = inFlight.get(loginName)
      if (running !== undefined) return await running
      const p = fetchToken(loginName).finally(() => inFlight.delete(loginName))
      inFlight.set(loginName, p)
      return await p
    },
    drop (loginName) {
      cache.delete(loginName)
    }
  }
}
