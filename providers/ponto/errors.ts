/**
 * Ponto / Ibanity error vocabulary → the broker taxonomy. API errors are JSON:API
 * `{errors:[{code, detail, meta}]}` with an `ibanity-request-id` header; the OAuth2 endpoints answer
 * `{error, error_description}`; synchronization failures sit inside the synchronization resource.
 */
import { ProviderError, type ProviderErrorKind } from '../errors.js'
import { header, kindForStatus, retryAfterMs, type RawResponse } from '../http.js'

export interface PontoApiError {
  code?: unknown
  detail?: unknown
  meta?: { requestId?: unknown, financialInstitutionResponse?: { body?: { tppMessages?: Array<{ code?: unknown }> } } } | null
}

/** Codes that mean the user must authorise again (sync errors and API errors alike). */
const REAUTH_CODES = new Set(['authorizationInvalid', 'authorizationExpired', 'invalidCredentials', 'invalidAccessToken', 'accountRevoked'])

/**
 * The sandbox's manual-only bank refuses unattended synchronizations. Ibanity's catalogue for this
 * case was not found; the top-level code is ours, the bank answer inside it is the Berlin Group
 * `ACCESS_EXCEEDED` (unattended access over the allowed multiplicity, here zero).
 */
export const CUSTOMER_PRESENCE_REQUIRED = 'customerPresenceRequired'

export function firstError (body: unknown): PontoApiError | null {
  const errors = (body as { errors?: unknown } | null)?.errors
  return Array.isArray(errors) && errors.length > 0 && typeof errors[0] === 'object' && errors[0] !== null ? errors[0] as PontoApiError : null
}

function text (value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function apiKind (status: number, code: string | null): ProviderErrorKind {
  if (code !== null && REAUTH_CODES.has(code)) return 'reauth_required'
  if (code === 'accountRecentlySynchronized' || status === 429) return 'rate_limited'
  if (code === CUSTOMER_PRESENCE_REQUIRED) return 'user_action_required'
  if (status >= 500) return 'provider_down'
  if (status === 401) return 'reauth_required'
  return kindForStatus(status)
}

/** Which OAuth2 call failed: a wrong code at consent is our request's fault, a dead refresh token is the user's. */
export type TokenCall = 'authorization_code' | 'refresh_token' | 'client_credentials' | 'revoke'

function oauthKind (status: number, code: string | null, call: TokenCall): ProviderErrorKind {
  if (code === 'invalid_client' || code === 'unauthorized_client') return 'misconfigured'
  if (code === 'invalid_grant') return call === 'refresh_token' ? 'reauth_required' : 'invalid_request'
  if (status === 429) return 'rate_limited'
  if (status >= 500) return 'provider_down'
  return 'invalid_request'
}

/** Maps a non-2xx answer of the JSON:API endpoints. */
export function mapApiError (res: RawResponse): ProviderError {
  const err = firstError(res.json)
  const code = text(err?.code)
  const requestId = header(res, 'ibanity-request-id') ?? text(err?.meta?.requestId)
  const ra = res.status === 429 ? retryAfterMs(header(res, 'retry-after'), Date.now()) : null
  return new ProviderError({
    provider: 'ponto',
    kind: apiKind(res.status, code),
    message: `Ponto answered ${res.status}${code !== null ? ` ${code}` : ''}${text(err?.detail) !== null ? `: ${String(err?.detail)}` : ''}`,
    providerCode: code ?? `http_${res.status}`,
    providerRequestId: requestId,
    httpStatus: res.status,
    retryAfterSeconds: ra === null ? null : Math.ceil(ra / 1000)
  })
}

/** Maps a non-2xx answer of `/oauth2/token` and `/oauth2/revoke`. */
export function mapTokenError (call: TokenCall) {
  return (res: RawResponse): ProviderError => {
    const body = res.json as { error?: unknown, error_description?: unknown } | undefined
    if (body?.error === undefined && firstError(res.json) !== null) return mapApiError(res)
    const code = text(body?.error)
    return new ProviderError({
      provider: 'ponto',
      kind: oauthKind(res.status, code, call),
      message: `Ponto OAuth2 ${call} answered ${res.status}${code !== null ? ` ${code}` : ''}${text(body?.error_description) !== null ? `: ${String(body?.error_description)}` : ''}`,
      providerCode: code ?? `http_${res.status}`,
      providerRequestId: header(res, 'ibanity-request-id'),
      httpStatus: res.status
    })
  }
}

/** The error a failed synchronization resource stands for (its `attributes.errors`). */
export function mapSyncErrors (errors: unknown, syncId: string | null): ProviderError {
  const err = firstError({ errors })
  const code = text(err?.code)
  const tpp = err?.meta?.financialInstitutionResponse?.body?.tppMessages?.map(m => m.code) ?? []
  let kind: ProviderErrorKind = 'provider_down'
  if (code !== null && REAUTH_CODES.has(code)) kind = 'reauth_required'
  else if (code === CUSTOMER_PRESENCE_REQUIRED || tpp.includes('ACCESS_EXCEEDED')) kind = 'user_action_required'
  return new ProviderError({
    provider: 'ponto',
    kind,
    message: `Ponto synchronization ${syncId ?? ''} failed${code !== null ? ` with ${code}` : ''}${text(err?.detail) !== null ? `: ${String(err?.detail)}` : ''}`,
    providerCode: code ?? 'synchronizationError',
    providerRequestId: text(err?.meta?.requestId)
  })
}
