/**
 * Yodlee's error vocabulary onto the broker taxonomy: HTTP bodies `{errorCode, errorMessage,
 * referenceCode}` (Y0xx auth, Y8xx validation) and aggregation problems in `dataset.additionalStatus`.
 * @see https://developer.yodlee.com/resources/yodlee/error-codes
 */
import { ProviderError, type ProviderErrorKind } from '../errors.js'
import { header, kindForStatus, retryAfterMs, type RawResponse } from '../http.js'

export interface YodleeErrorBody {
  errorCode?: unknown
  errorMessage?: unknown
  referenceCode?: unknown
}

/** Token problems the adapter fixes itself by fetching a fresh token once. */
const TOKEN_CODES = new Set(['Y008', 'Y020', 'Y023'])
/** The per-link Yodlee user is gone or suspended: the link has to be made again. */
const USER_GONE = new Set(['Y005', 'Y006'])
/** Client-credential problems on `/auth/token`. */
const CLIENT_CODES = new Set(['Y301', 'Y302', 'Y303'])

export function isTokenError (err: unknown): boolean {
  return err instanceof ProviderError && err.httpStatus === 401 && TOKEN_CODES.has(err.providerCode ?? '')
}

function kindFor (status: number, code: string | null): ProviderErrorKind {
  if (status === 429) return 'rate_limited'
  if (status >= 500 || code === 'Y902') return 'provider_down'
  if (code === null) return kindForStatus(status)
  if (code === 'Y807' || USER_GONE.has(code)) return 'reauth_required'
  // Y868: "No action is allowed, as the data is being migrated to the Open Banking provider"
  if (code === 'Y868') return 'not_ready'
  if (/^Y0\d\d$/.test(code) || CLIENT_CODES.has(code)) return 'misconfigured'
  return kindForStatus(status)
}

function text (v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null
}

/** Maps a non-2xx Yodlee response; provider text goes into `message` only. */
export function mapYodleeError (res: RawResponse, now: () => number = Date.now): ProviderError {
  const body: YodleeErrorBody = res.json !== null && typeof res.json === 'object' ? res.json as YodleeErrorBody : {}
  const code = text(body.errorCode)
  const ms = retryAfterMs(header(res, 'retry-after'), now())
  const detail = (text(body.errorMessage) ?? res.text).slice(0, 300)
  return new ProviderError({
    provider: 'yodlee',
    kind: kindFor(res.status, code),
    message: `Yodlee answered HTTP ${res.status}${code !== null ? ` ${code}` : ''}: ${detail}`,
    providerCode: code,
    providerRequestId: text(body.referenceCode),
    httpStatus: res.status,
    retryAfterSeconds: ms !== null ? Math.ceil(ms / 1000) : null
  })
}

/** `dataset.additionalStatus` values that need the user at the bank or in FastLink. */
const USER_MUST_ACT = new Set([
  'INCORRECT_CREDENTIALS', 'ACCOUNT_LOCKED', 'ADDL_AUTHENTICATION_REQUIRED', 'CREDENTIALS_UPDATE_NEEDED',
  'USER_ACTION_NEEDED_AT_SITE', 'NEW_AUTHENTICATION_REQUIRED', 'CONSENT_REQUIRED', 'CONSENT_EXPIRED',
  'CONSENT_REVOKED', 'INCORRECT_OAUTH_TOKEN', 'INVALID_ADDL_INFO_PROVIDED', 'ENROLLMENT_REQUIRED_FOR_DATASET'
])
/** The bank (site) or Yodlee's agent failed. */
const SITE_FAILED = new Set([
  'SITE_UNAVAILABLE', 'SITE_BLOCKING_ERROR', 'UNEXPECTED_SITE_ERROR', 'TECH_ERROR', 'REQUEST_TIME_OUT',
  'DATA_RETRIEVAL_FAILED', 'SITE_NOT_SUPPORTED', 'SITE_SESSION_INVALIDATED', 'BETA_SITE_DEV_IN_PROGRESS'
])
/** Aggregation is running. */
const IN_PROGRESS = new Set(['LOGIN_IN_PROGRESS', 'DATA_RETRIEVAL_IN_PROGRESS', 'ACCT_SUMMARY_RECEIVED', 'MIGRATION_IN_PROGRESS'])

export type AggregationState = 'ok' | 'in_progress' | ProviderErrorKind

export function stateOfAdditionalStatus (status: string | null | undefined): AggregationState {
  if (status === null || status === undefined) return 'ok'
  if (USER_MUST_ACT.has(status)) return 'reauth_required'
  if (SITE_FAILED.has(status)) return 'provider_down'
  if (IN_PROGRESS.has(status)) return 'in_progress'
  return 'ok'
}

export function aggregationError (kind: ProviderErrorKind, additionalStatus: string, what: string): ProviderError {
  return new ProviderError({
    provider: 'yodlee',
    kind,
    message: `Yodlee ${what}: dataset additionalStatus ${additionalStatus}`,
    providerCode: additionalStatus
  })
}

export function badResponse (message: string): ProviderError {
  return new ProviderError({ provider: 'yodlee', kind: 'provider_down', message, providerCode: 'bad_response' })
}
