/** Turns any thrown value into an `AppError`: Fastify's own errors, provider errors, Redis outages. */
import { AppError } from './errors.js'
import { ProviderError } from '../providers/errors.js'
import { SecretUnreadableError } from './crypto/secret-box.js'

/**
 * Redis refusing or unreachable: the request fails closed with 503. Besides the connection errors, a
 * full Redis (OOM), a replica or a loading server (READONLY, LOADING, MASTERDOWN) and a primary whose
 * replicas fell behind `min-replicas-to-write` (NOREPLICAS).
 */
const REDIS_MESSAGES = /Stream isn't writeable|Connection is closed|Command timed out|ECONNREFUSED|MaxRetriesPerRequest|connect ETIMEDOUT|Reached the max retries|CLUSTERDOWN|Failed to refresh slots cache|None of the sentinels|All sentinels are unreachable|OOM command not allowed|READONLY|LOADING|MASTERDOWN|NOREPLICAS/

export function isRedisOutage (err: unknown): boolean {
  const e = err as { name?: string, message?: string } | null
  if (e === null || typeof e !== 'object') return false
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'ClusterAllFailedError') return true
  return typeof e.message === 'string' && REDIS_MESSAGES.test(e.message)
}

export function fromProviderError (err: ProviderError): AppError {
  const ctx = {
    detail: `${err.provider}: ${err.message}`,
    provider: err.provider,
    providerCode: err.providerCode,
    providerRequestId: err.providerRequestId,
    retryAfterSeconds: err.retryAfterSeconds,
    cause: err
  }
  switch (err.kind) {
    case 'reauth_required': return new AppError('BSB_REAUTH_REQUIRED', ctx)
    case 'rate_limited': {
      const when = err.nextAllowedAt ?? (err.retryAfterSeconds !== null ? new Date(Date.now() + err.retryAfterSeconds * 1000).toISOString() : null)
      return new AppError('BSB_PROVIDER_RATE_LIMITED', when === null ? ctx : { ...ctx, userMessage: `Your bank limits how often it can be read. The next synchronization is possible after ${when.replace('T', ' ').slice(0, 16)} UTC.` })
    }
    case 'not_ready': return new AppError('BSB_PROVIDER_NOT_READY', ctx)
    case 'user_action_required': return new AppError('BSB_MANUAL_SYNC_ONLY', ctx)
    case 'misconfigured': return new AppError('BSB_PROVIDER_MISCONFIGURED', ctx)
    case 'invalid_request': return new AppError('BSB_PROVIDER_REJECTED', ctx)
    default: return new AppError('BSB_PROVIDER_DOWN', ctx)
  }
}

export function toAppError (err: unknown): AppError {
  if (err instanceof AppError) return err
  if (err instanceof ProviderError) return fromProviderError(err)
  if (err instanceof SecretUnreadableError) return new AppError('BSB_DATA_CORRUPTED', { detail: err.message, cause: err })
  if (isRedisOutage(err)) return new AppError('BSB_SERVICE_UNAVAILABLE', { detail: `redis: ${(err as Error).message}`, cause: err })
  const e = err as { code?: string, statusCode?: number, validation?: unknown, message?: string }
  if (e?.validation !== undefined) return new AppError('BSB_INVALID_REQUEST', { detail: e.message, cause: err })
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new AppError('BSB_BODY_TOO_LARGE', { detail: e.message, cause: err })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new AppError('BSB_UNSUPPORTED_MEDIA_TYPE', { detail: e.message, cause: err })
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BSB_INVALID_REQUEST', { detail: e.message, cause: err })
  }
  if (e?.statusCode === 413) return new AppError('BSB_BODY_TOO_LARGE', { detail: e.message, cause: err })
  if (e?.statusCode === 415) return new AppError('BSB_UNSUPPORTED_MEDIA_TYPE', { detail: e.message, cause: err })
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new AppError('BSB_INVALID_REQUEST', { detail: e.message, cause: err })
  return new AppError('BSB_INTERNAL', { detail: e?.message ?? String(err), cause: err })
}
