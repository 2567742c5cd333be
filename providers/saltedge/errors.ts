/**
 * Salt Edge error classes → broker taxonomy (providers.md §3.6, §7.4 rule 5). The provider's
 * class is kept as `providerCode`; its message only ever goes into `message`.
 */
import { ProviderError, type ProviderErrorKind } from '../errors.js'
import { header, kindForStatus, retryAfterMs, type RawResponse } from '../http.js'

const KIND_BY_CLASS: Record<string, ProviderErrorKind> = {
  // the user must consent again
  InvalidCredentials: 'reauth_required',
  InvalidInteractiveCredentials: 'reauth_required',
  ConnectionDisabled: 'reauth_required',
  AispConsentExpired: 'reauth_required',
  AispConsentRevoked: 'reauth_required',
  ProviderAccessNotGranted: 'reauth_required',
  ConnectionNotFound: 'reauth_required',
  CustomerNotFound: 'reauth_required',
  AccountNotFound: 'reauth_required',
  // try later
  TooManyRequests: 'rate_limited',
  BackgroundFetchLimitExceeded: 'rate_limited',
  RateLimitExceeded: 'rate_limited',
  ConnectionCannotBeRefreshed: 'rate_limited',
  ConnectionAlreadyProcessing: 'not_ready',
  ConnectionFetchingStopped: 'not_ready',
  // provider or bank side
  ProviderUnavailable: 'provider_down',
  ProviderInactive: 'provider_down',
  ProviderDisabled: 'provider_down',
  ProviderError: 'provider_down',
  ConnectionFailed: 'provider_down',
  FetchingTimeout: 'provider_down',
  ExecutionTimeout: 'provider_down',
  InternalServerError: 'provider_down',
  // our keys, signature or client account
  MissingSignature: 'misconfigured',
  SignatureNotMatch: 'misconfigured',
  ExpiresAtInvalid: 'misconfigured',
  RequestExpired: 'misconfigured',
  PublicKeyNotProvided: 'misconfigured',
  ClientDisabled: 'misconfigured',
  ClientPending: 'misconfigured',
  ClientRestricted: 'misconfigured',
  ClientNotFound: 'misconfigured',
  ApiKeyNotFound: 'misconfigured',
  AppIdNotProvided: 'misconfigured',
  SecretNotProvided: 'misconfigured',
  WrongClientSecret: 'misconfigured',
  // a manual-only connection asked to fetch without its user
  ActionNotAllowed: 'user_action_required'
}

export function kindForClass (errorClass: string | null, status: number): ProviderErrorKind {
  if (errorClass !== null && KIND_BY_CLASS[errorClass] !== undefined) return KIND_BY_CLASS[errorClass] as ProviderErrorKind
  return kindForStatus(status)
}

/** The error class and message of a Salt Edge error body, or nulls when the body is not one. */
export function errorOf (json: unknown): { errorClass: string | null, message: string | null } {
  const err = (json as { error?: { class?: unknown, message?: unknown } } | null)?.error
  return {
    errorClass: typeof err?.class === 'string' && err.class.length <= 100 ? err.class : null,
    message: typeof err?.message === 'string' ? err.message.slice(0, 500) : null
  }
}

export function requestIdOf (res: RawResponse): string | null {
  return header(res, 'x-request-id') ?? header(res, 'request-id')
}

/** `mapError` for `callProvider`: any non-2xx Salt Edge answer → `ProviderError`. */
export function mapSaltEdgeError (res: RawResponse): ProviderError {
  const { errorClass, message } = errorOf(res.json)
  const kind = kindForClass(errorClass, res.status)
  const retryAfter = retryAfterMs(header(res, 'retry-after'), Date.now())
  return new ProviderError({
    provider: 'saltedge',
    kind,
    message: `Salt Edge ${res.status} ${errorClass ?? 'without error class'}${message !== null ? `: ${message}` : ''}`,
    providerCode: errorClass ?? `http_${res.status}`,
    providerRequestId: requestIdOf(res),
    httpStatus: res.status,
    retryAfterSeconds: retryAfter === null ? null : Math.ceil(retryAfter / 1000)
  })
}

/** Copy of `err` with a different kind / next allowed time (ProviderError fields are read-only). */
export function withKind (err: ProviderError, kind: ProviderErrorKind, nextAllowedAt: string | null, nowMs: number): ProviderError {
  const retryAfterSeconds = nextAllowedAt !== null
    ? Math.max(0, Math.ceil((Date.parse(nextAllowedAt) - nowMs) / 1000))
    : err.retryAfterSeconds
  return new ProviderError({
    provider: 'saltedge',
    kind,
    message: err.message,
    providerCode: err.providerCode,
    providerRequestId: err.providerRequestId,
    httpStatus: err.httpStatus,
    retryAfterSeconds,
    nextAllowedAt,
    cause: err
  })
}
