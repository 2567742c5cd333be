/** Plaid's error object ({error_type, error_code, error_message, request_id, ...}) mapped onto the taxonomy. */
import { ProviderError, type ProviderErrorKind } from '../errors.js'
import { header, kindForStatus, retryAfterMs, type RawResponse } from '../http.js'

export interface PlaidErrorBody {
  error_type?: unknown
  error_code?: unknown
  error_code_reason?: unknown
  error_message?: unknown
  display_message?: unknown
  request_id?: unknown
}

const REAUTH_CODES = new Set([
  'ITEM_LOGIN_REQUIRED', 'INVALID_CREDENTIALS', 'INVALID_MFA', 'ITEM_LOCKED', 'USER_PERMISSION_REVOKED',
  'ACCESS_NOT_GRANTED', 'NO_ACCOUNTS', 'ITEM_NOT_FOUND', 'INVALID_ACCESS_TOKEN', 'INSUFFICIENT_CREDENTIALS',
  'USER_SETUP_REQUIRED', 'PENDING_EXPIRATION', 'PENDING_DISCONNECT', 'ITEM_CONCURRENTLY_DELETED'
])
const MISCONFIGURED_CODES = new Set([
  'INVALID_API_KEYS', 'UNAUTHORIZED_ENVIRONMENT', 'UNAUTHORIZED_ROUTE_ACCESS', 'INVALID_PRODUCT',
  'INVALID_CONFIGURATION', 'DIRECT_INTEGRATION_NOT_ENABLED', 'TRANSACTIONS_REFRESH_NOT_SUPPORTED'
])
const NOT_READY_CODES = new Set(['PRODUCT_NOT_READY', 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION'])

function text (v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null
}

export function plaidErrorKind (type: string | null, code: string | null, status: number): ProviderErrorKind {
  if (type === 'RATE_LIMIT_EXCEEDED' || status === 429) return 'rate_limited'
  if (code !== null) {
    if (NOT_READY_CODES.has(code)) return 'not_ready'
    if (MISCONFIGURED_CODES.has(code)) return 'misconfigured'
    if (REAUTH_CODES.has(code)) return 'reauth_required'
  }
  if (type === 'INSTITUTION_ERROR' || type === 'API_ERROR') return 'provider_down'
  return kindForStatus(status)
}

/** `mapError` for `callProvider`: keeps Plaid's code and request id; raw text only in `message`. */
export function mapPlaidError (res: RawResponse): ProviderError {
  const body = (res.json !== null && typeof res.json === 'object' ? res.json : {}) as PlaidErrorBody
  const type = text(body.error_type)
  const code = text(body.error_code)
  const requestId = text(body.request_id) ?? header(res, 'plaid-request-id')
  const ra = retryAfterMs(header(res, 'retry-after'), Date.now())
  const detail = text(body.error_message) ?? (res.json === undefined ? `non-JSON body (${res.text.length} bytes)` : 'no error_message')
  const reason = text(body.error_code_reason)
  return new ProviderError({
    provider: 'plaid',
    kind: plaidErrorKind(type, code, res.status),
    message: `Plaid answered ${res.status} ${type ?? '?'}/${code ?? '?'}${reason !== null ? ` (${reason})` : ''}: ${detail}`,
    providerCode: code,
    providerRequestId: requestId,
    httpStatus: res.status,
    retryAfterSeconds: ra === null ? null : Math.ceil(ra / 1000)
  })
}

export function isPlaidCode (err: unknown, ...codes: string[]): boolean {
  return err instanceof ProviderError && err.providerCode !== null && codes.includes(err.providerCode)
}

/** A 2xx body that does not have the shape Plaid documents. */
export function badResponse (what: string, requestId: string | null = null): ProviderError {
  return new ProviderError({ provider: 'plaid', kind: 'provider_down', message: `Plaid answered an unexpected body: ${what}`, providerCode: 'bad_response', providerRequestId: requestId })
}
