/**
 * Authenticated Yodlee API calls for one loginName: `Authorization: Bearer`, `Api-Version: 1.1`,
 * one silent token renewal when Yodlee refuses the cached token, JSON bodies checked.
 */
import { callProvider, expectJson } from '../http.js'
import { API_VERSION, createTokenSource, type TokenSource, type TokenSourceOptions } from './auth.js'
import { isTokenError, mapYodleeError } from './errors.js'

/** The client needs exactly what its token source needs. */
export type ClientOptions = TokenSourceOptions

export interface YodleeCall {
  method: 'GET' | 'PUT' | 'DELETE'
  path: string
  query?: Record<string, string | number | undefined>
  body?: object
  idempotent: boolean
}

export interface YodleeClient {
  tokens: TokenSource
  /** JSON object body of a 2xx answer (`{}` for Yodlee's empty lists). */
  json: <T extends object>(loginName: string, call: YodleeCall) => Promise<T>
  /** For calls answered with 204 No Content. */
  send: (loginName: string, call: YodleeCall) => Promise<void>
}

export function createYodleeClient (opts: ClientOptions): YodleeClient {
  const tokens = createTokenSource(opts)
  const base = opts.baseUrl.replace(/\/+$/, '')

  function urlOf (call: YodleeCall): string {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) qs.set(k, String(v))
    const q = qs.toString()
    return `${base}${call.path}${q === '' ? '' : `?${q}`}`
  }

  async function raw (loginName: string, call: YodleeCall) {
    for (let attempt = 0; ; attempt++) {
      const token = await tokens.get(loginName)
      try {
        return await callProvider({
          provider: 'yodlee',
          method: call.method,
          url: urlOf(call),
          headers: { authorization: `Bearer ${token}`, 'Api-Version': API_VERSION },
          body: call.body,
          idempotent: call.idempotent,
          dispatcher: opts.dispatcher,
          deadlineMs: opts.deadlineMs,
          mapError: res => mapYodleeError(res, opts.now),
          now: opts.now,
          sleep: opts.sleep
        })
      } catch (err) {
        if (attempt === 0 && isTokenError(err)) {
          tokens.drop(loginName)
          continue
        }
        throw err
      }
    }
  }

  return {
    tokens,
    async json<T extends object> (loginName: string, call: YodleeCall): Promise<T> {
      const res = await raw(loginName, call)
      return expectJson<T>('yodlee', res)
    },
    async send (loginName, call) {
      await raw(loginName, call)
    }
  }
}
