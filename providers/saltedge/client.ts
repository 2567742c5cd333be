/**
 * Signed Salt Edge API calls through `callProvider`: `App-id`/`Secret` headers plus `Expires-at`
 * and `Signature` on every request, JSON bodies in `{data: …}`, and `from_id`/`next_id` paging.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto'
import { ProviderError } from '../errors.js'
import { callProvider, expectJson, type RawResponse } from '../http.js'
import type { ProviderDeps } from '../types.js'
import type { SaltEdgeCredentials } from './credentials.js'
import { mapSaltEdgeError } from './errors.js'
import { signedHeaders } from './signing.js'
import type { SeList } from './wire.js'

export type Query = Record<string, string | number | boolean | null | undefined>

export interface SaltEdgeClient {
  get<T> (path: string, query?: Query): Promise<T>
  post<T> (path: string, body: object, opts?: { idempotent?: boolean }): Promise<T>
  del<T> (path: string, query?: Query): Promise<T>
  /** Every page of a list route, following `meta.next_id` until it is null. */
  pages<T> (path: string, query?: Query): AsyncGenerator<T[]>
  now: () => number
}

/** Hard stop for `next_id` loops (a provider bug must not spin forever). */
const MAX_PAGES = 10_000

export function buildUrl (baseUrl: string, path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.append(k, String(v))
  const qs = params.toString()
  return `${baseUrl.replace(/\/+$/, '')}${path}${qs === '' ? '' : `?${qs}`}`
}

function badResponse (what: string, status: number): ProviderError {
  return new ProviderError({ provider: 'saltedge', kind: 'provider_down', message: `Salt Edge answered ${what}`, providerCode: 'bad_response', httpStatus: status })
}

export function createSaltEdgeClient (deps: ProviderDeps, creds: SaltEdgeCredentials): SaltEdgeClient {
  const now = deps.now ?? Date.now
  let key: KeyObject | undefined

  async function call (method: 'GET' | 'POST' | 'DELETE', path: string, query: Query, body: object | undefined, idempotent: boolean): Promise<RawResponse> {
    key ??= createPrivateKey(creds.privateKeyPem)
    const url = buildUrl(deps.baseUrl, path, query)
    const text = body === undefined ? '' : JSON.stringify(body)
    const headers: Record<string, string> = {
      'App-id': creds.appId,
      Secret: creds.secret,
      accept: 'application/json',
      'content-type': 'application/json'
    }
    // Signed per attempt would need a hook in callProvider; one minute of validity covers the retries.
    Object.assign(headers, signedHeaders(key, now(), method, url, text))
    return await callProvider({
      provider: 'saltedge',
      method,
      url,
      headers,
      body: body === undefined ? undefined : text,
      idempotent,
      dispatcher: deps.dispatcher,
      deadlineMs: deps.timeoutMs,
      mapError: mapSaltEdgeError,
      now
    })
  }

  function data<T> (res: RawResponse): T {
    const json = expectJson<{ data?: unknown }>('saltedge', res)
    if (json.data === undefined || json.data === null || typeof json.data !== 'object') throw badResponse('a body without `data`', res.status)
    return json.data as T
  }

  return {
    now,
    async get<T> (path: string, query: Query = {}) { return data<T>(await call('GET', path, query, undefined, true)) },
    async post<T> (path: string, body: object, opts: { idempotent?: boolean } = {}) { return data<T>(await call('POST', path, {}, body, opts.idempotent === true)) },
    async del<T> (path: string, query: Query = {}) { return data<T>(await call('DELETE', path, query, undefined, true)) },
    async * pages<T> (path: string, query: Query = {}) {
      let fromId: string | null = null
      const seen = new Set<string>()
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await call('GET', path, { ...query, from_id: fromId ?? undefined }, undefined, true)
        const json = expectJson<SeList<T>>('saltedge', res)
        if (!Array.isArray(json.data)) throw badResponse('a list without a `data` array', res.status)
        yield json.data
        const next = json.meta?.next_id
        if (next === null || next === undefined || next === '') return
        if (typeof next !== 'string' || seen.has(next)) throw badResponse('a `next_id` that loops', res.status)
        seen.add(next)
        fromId = next
      }
      throw badResponse('more pages than the adapter accepts', 200)
    }
  }
}
