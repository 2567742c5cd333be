/**
 * Thin Enable Banking HTTP client over `callProvider`: bearer JWT, PSU context headers when the
 * user is present, JSON bodies, and the provider's error mapping. GETs and DELETE retry; POSTs
 * (`/auth`, `/sessions`) never do, since each creates something.
 */
import { callProvider, expectJson } from '../http.js'
import type { PsuInfo, ProviderDeps } from '../types.js'
import { createJwtSigner } from './auth.js'
import { mapEnableBankingError } from './errors.js'
import type { EnableBankingCredentials } from './settings.js'

export type Query = Record<string, string | null | undefined>

export interface EbClient {
  get: <T>(path: string, query?: Query, psu?: PsuInfo | null) => Promise<T>
  post: <T>(path: string, body: object) => Promise<T>
  del: <T>(path: string) => Promise<T>
  now: () => number
}

/** PSU headers mark the call as made with the user present (no unattended-access quota spent). */
export function psuHeaders (psu: PsuInfo | null | undefined): Record<string, string> {
  if (psu === null || psu === undefined) return {}
  const out: Record<string, string> = {}
  if (psu.ip !== '') out['Psu-Ip-Address'] = psu.ip
  if (psu.userAgent !== '') out['Psu-User-Agent'] = psu.userAgent
  return out
}

export function createClient (deps: ProviderDeps, credentials: EnableBankingCredentials): EbClient {
  const now = deps.now ?? Date.now
  const signer = createJwtSigner(credentials, now)
  const base = deps.baseUrl.replace(/\/+$/, '')

  function url (path: string, query?: Query): string {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query ?? {})) if (v !== null && v !== undefined) qs.set(k, v)
    const s = qs.toString()
    return `${base}${path}${s === '' ? '' : `?${s}`}`
  }

  async function call<T> (method: 'GET' | 'POST' | 'DELETE', path: string, opts: { query?: Query, body?: object, psu?: PsuInfo | null }): Promise<T> {
    const res = await callProvider({
      provider: 'enablebanking',
      method,
      url: url(path, opts.query),
      headers: { authorization: `Bearer ${await signer.token()}`, ...psuHeaders(opts.psu) },
      body: opts.body,
      idempotent: method !== 'POST',
      dispatcher: deps.dispatcher,
      deadlineMs: deps.timeoutMs,
      // The deadline runs on the real clock; the injected clock only dates the provider's answers.
      mapError: r => mapEnableBankingError(r, now)
    })
    return expectJson<T>('enablebanking', res)
  }

  return {
    get: async (path, query, psu) => await call('GET', path, { query, psu }),
    post: async (path, body) => await call('POST', path, { body }),
    del: async path => await call('DELETE', path, {}),
    now
  }
}
