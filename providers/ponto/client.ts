/**
 * The Ponto Connect HTTP calls, all through `callProvider`: JSON:API reads and writes with a Bearer
 * token, the OAuth2 form endpoints with Basic client authentication, and safe `links.next` paging.
 */
import type { Dispatcher } from 'undici'
import { ProviderError } from '../errors.js'
import { callProvider, expectJson, type RawResponse } from '../http.js'
import type { PontoCredentials } from './credentials.js'
import { mapApiError, mapTokenError, type TokenCall } from './errors.js'
import type { PontoResource } from './normalize.js'

export interface PontoContext {
  /** Ibanity API root without trailing slash (`https://api.ibanity.com` or the sandbox mount). */
  baseUrl: string
  creds: PontoCredentials
  dispatcher?: Dispatcher
  timeoutMs?: number
  now: () => number
  sleep?: (ms: number) => Promise<void>
}

export interface JsonApiDocument {
  data?: PontoResource | PontoResource[] | null
  links?: { next?: unknown, first?: unknown, prev?: unknown }
  meta?: Record<string, unknown> & { latestSynchronization?: PontoResource | null }
}

export interface TokenResponse {
  access_token: string
  refresh_token?: string
  expires_in: number
  scope?: string
  token_type?: string
}

function base (ctx: PontoContext, call: { method: 'GET' | 'POST' | 'DELETE', url: string, idempotent: boolean }) {
  return { provider: 'ponto' as const, dispatcher: ctx.dispatcher, deadlineMs: ctx.timeoutMs, sleep: ctx.sleep, ...call }
}

function document (res: RawResponse): JsonApiDocument {
  const doc = expectJson<JsonApiDocument>('ponto', res)
  if (Array.isArray(doc)) throw new ProviderError({ provider: 'ponto', kind: 'provider_down', message: 'Ponto answered a JSON array instead of a JSON:API document', providerCode: 'bad_response', httpStatus: res.status })
  return doc
}

/** Absolute URL for an API path; `links.next` values are only followed inside the same API root. */
export function apiUrl (ctx: PontoContext, pathOrUrl: string): string {
  if (pathOrUrl.startsWith('/')) return `${ctx.baseUrl}${pathOrUrl}`
  let url: URL
  try { url = new URL(pathOrUrl) } catch { url = new URL('invalid:') }
  const root = new URL(ctx.baseUrl)
  if (url.origin !== root.origin || !url.pathname.startsWith(`${root.pathname.replace(/\/$/, '')}/ponto-connect/`)) {
    throw new ProviderError({ provider: 'ponto', kind: 'provider_down', message: 'Ponto sent a paging link outside its API; it was not followed', providerCode: 'bad_response' })
  }
  return url.toString()
}

export async function apiGet (ctx: PontoContext, token: string | null, pathOrUrl: string): Promise<JsonApiDocument> {
  const res = await callProvider({
    ...base(ctx, { method: 'GET', url: apiUrl(ctx, pathOrUrl), idempotent: true }),
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    mapError: mapApiError
  })
  return document(res)
}

/** JSON:API POST; the idempotency key makes a retried POST return the first result at Ibanity. */
export async function apiPost (ctx: PontoContext, token: string, path: string, body: object, idempotencyKey: string): Promise<JsonApiDocument> {
  const res = await callProvider({
    ...base(ctx, { method: 'POST', url: apiUrl(ctx, path), idempotent: true }),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'ibanity-idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
    mapError: mapApiError
  })
  return document(res)
}

function basic (creds: PontoCredentials): string {
  return `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64')}`
}

/** `POST /ponto-connect/oauth2/token`. Never retried: codes and refresh tokens are single-use. */
export async function tokenCall (ctx: PontoContext, call: Exclude<TokenCall, 'revoke'>, form: Record<string, string>): Promise<TokenResponse> {
  const res = await callProvider({
    ...base(ctx, { method: 'POST', url: `${ctx.baseUrl}/ponto-connect/oauth2/token`, idempotent: false }),
    headers: { authorization: basic(ctx.creds), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: call, ...form }).toString(),
    mapError: mapTokenError(call)
  })
  const body = expectJson<Partial<TokenResponse>>('ponto', res)
  if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number' || (call !== 'client_credentials' && typeof body.refresh_token !== 'string')) {
    throw new ProviderError({ provider: 'ponto', kind: 'provider_down', message: 'Ponto token response lacks access_token, refresh_token or expires_in', providerCode: 'bad_response', httpStatus: res.status })
  }
  return body as TokenResponse
}

/** `POST /ponto-connect/oauth2/revoke` (RFC 7009: revoking an unknown token also succeeds). */
export async function revokeCall (ctx: PontoContext, token: string): Promise<void> {
  await callProvider({
    ...base(ctx, { method: 'POST', url: `${ctx.baseUrl}/ponto-connect/oauth2/revoke`, idempotent: true }),
    headers: { authorization: basic(ctx.creds), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
    mapError: mapTokenError('revoke')
  })
}

export function resources (doc: JsonApiDocument): PontoResource[] {
  if (!Array.isArray(doc.data)) throw new ProviderError({ provider: 'ponto', kind: 'provider_down', message: 'Ponto list response has no data array', providerCode: 'bad_response' })
  return doc.data
}

export function resource (doc: JsonApiDocument): PontoResource {
  if (doc.data === null || doc.data === undefined || Array.isArray(doc.data) || typeof doc.data.id !== 'string') {
    throw new ProviderError({ provider: 'ponto', kind: 'provider_down', message: 'Ponto response has no data resource', providerCode: 'bad_response' })
  }
  return doc.data
}

const MAX_PAGES = 5_000

/** Follows `links.next` from a first path; stops on a missing link or a repeated one. */
export async function * pages (ctx: PontoContext, get: (pathOrUrl: string) => Promise<JsonApiDocument>, first: string): AsyncGenerator<JsonApiDocument> {
  const seen = new Set<string>()
  let next: string | null = first
  for (let n = 0; next !== null && n < MAX_PAGES; n++) {
    seen.add(next)
    const doc = await get(next)
    yield doc
    const link = typeof doc.links?.next === 'string' && doc.links.next !== '' ? apiUrl(ctx, doc.links.next) : null
    next = link !== null && !seen.has(link) ? link : null
  }
}
