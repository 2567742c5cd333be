/**
 * Enable Banking error bodies `{message, code, error, detail}` (providers.md §5.6) mapped onto the
 * broker's taxonomy. The error code decides first; the HTTP status is the fallback.
 */
import { ProviderError, type ProviderErrorKind } from '../errors.js'
import { header, kindForStatus, retryAfterMs, type RawResponse } from '../http.js'
import type { EbSessionStatus } from './wire.js'

const KIND_BY_CODE: Record<string, ProviderErrorKind> = {
  // The session or the account is gone: the user has to consent again.
  EXPIRED_SESSION: 'reauth_required',
  REVOKED_SESSION: 'reauth_required',
  CLOSED_SESSION: 'reauth_required',
  INVALID_ACCOUNT_ID: 'reauth_required',
  ASPSP_ACCOUNT_NOT_ACCESSIBLE: 'reauth_required',
  SESSION_DOES_NOT_EXIST: 'reauth_required',
  ACCOUNT_DOES_NOT_EXIST: 'reauth_required',
  EXPIRED_AUTHORIZATION_CODE: 'reauth_required',
  WRONG_AUTHORIZATION_CODE: 'reauth_required',
  ALREADY_AUTHORIZED: 'reauth_required',
  // The bank side.
  ASPSP_RATE_LIMIT_EXCEEDED: 'rate_limited',
  ASPSP_ERROR: 'provider_down',
  ASPSP_TIMEOUT: 'provider_down',
  // The user has to be there (manual-only banks) or act at the bank.
  PSU_HEADER_NOT_PROVIDED: 'user_action_required',
  ASPSP_PSU_ACTION_REQUIRED: 'user_action_required',
  // Our application: keys, registration, allowed redirect URLs, contract.
  UNAUTHORIZED_ACCESS: 'misconfigured',
  AUTHORIZATION_NOT_PROVIDED: 'misconfigured',
  ACCESS_DENIED: 'misconfigured',
  UNAUTHORIZED_IP: 'misconfigured',
  REDIRECT_URI_NOT_ALLOWED: 'misconfigured',
  NO_ACCOUNTS_ADDED: 'misconfigured',
  INVALID_HOST: 'misconfigured'
}

/** Codes that mean "already gone" to a revoke: closing twice is a success. */
export const ALREADY_CLOSED_CODES = new Set(['CLOSED_SESSION', 'REVOKED_SESSION', 'EXPIRED_SESSION', 'SESSION_DOES_NOT_EXIST', 'WRONG_SESSION_STATUS'])

function textOf (value: unknown, max = 300): string | null {
  if (value === null || value === undefined) return null
  const s = typeof value === 'string' ? value : JSON.stringify(value)
  return s.length > max ? `${s.slice(0, max)}…` : s
}

export function mapEnableBankingError (res: RawResponse, now: () => number = Date.now): ProviderError {
  const body = (res.json !== null && typeof res.json === 'object' ? res.json : {}) as { message?: unknown, error?: unknown, detail?: unknown }
  const code = typeof body.error === 'string' && body.error !== '' ? body.error : null
  const kind: ProviderErrorKind = (code !== null ? KIND_BY_CODE[code] : undefined) ??
    (res.status === 408 ? 'provider_down' : kindForStatus(res.status))
  const ra = retryAfterMs(header(res, 'retry-after'), now())
  const parts = [`Enable Banking answered ${res.status}`, code, textOf(body.message), textOf(body.detail)].filter(p => p !== null)
  return new ProviderError({
    provider: 'enablebanking',
    kind,
    message: parts.join(': '),
    providerCode: code ?? `http_${res.status}`,
    providerRequestId: header(res, 'x-request-id'),
    httpStatus: res.status,
    retryAfterSeconds: ra === null ? null : Math.ceil(ra / 1000)
  })
}

/** A session that cannot be used (GET /sessions/{id} answered 200 with a non-AUTHORIZED status). */
export function sessionStatusError (status: EbSessionStatus | string): ProviderError | null {
  if (status === 'AUTHORIZED') return null
  const waiting = status === 'PENDING_AUTHORIZATION' || status === 'RETURNED_FROM_BANK'
  return new ProviderError({
    provider: 'enablebanking',
    kind: waiting ? 'not_ready' : 'reauth_required',
    message: `Enable Banking session status is ${status}`,
    providerCode: `SESSION_${status}`
  })
}
