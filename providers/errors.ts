/**
 * One error taxonomy for every aggregator (providers.md §7.4 rule 5). Adapters map the provider's
 * own error vocabulary onto a `kind`, and keep the provider's code and request id for support.
 */
import type { ProviderId } from './types.js'

export type ProviderErrorKind =
  | 'reauth_required' // the user must go through consent again
  | 'rate_limited' // retry after `retryAfterSeconds`
  | 'provider_down' // provider or bank unavailable, timeouts, 5xx, garbage bodies
  | 'not_ready' // data still being fetched at the provider
  | 'user_action_required' // e.g. manual-only bank called without the user present
  | 'invalid_request' // we sent something the provider refused; forged webhooks
  | 'misconfigured' // our credentials/keys are wrong

export interface ProviderErrorInit {
  provider: ProviderId
  kind: ProviderErrorKind
  message: string
  /** Provider's own error code (`ITEM_LOGIN_REQUIRED`, `Y804`, `ConnectionNotFound`, …). */
  providerCode?: string | null
  /** Provider's request id (Plaid `request_id`, Yodlee `referenceCode`, `ibanity-request-id`, …). */
  providerRequestId?: string | null
  httpStatus?: number | null
  retryAfterSeconds?: number | null
  /** ISO timestamp when the next call is allowed (Salt Edge `next_refresh_possible_at`). */
  nextAllowedAt?: string | null
  cause?: unknown
}

export class ProviderError extends Error {
  readonly provider: ProviderId
  readonly kind: ProviderErrorKind
  readonly providerCode: string | null
  readonly providerRequestId: string | null
  readonly httpStatus: number | null
  readonly retryAfterSeconds: number | null
  readonly nextAllowedAt: string | null

  constructor (init: ProviderErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'ProviderError'
    this.provider = init.provider
    this.kind = init.kind
    this.providerCode = init.providerCode ?? null
    this.providerRequestId = init.providerRequestId ?? null
    this.httpStatus = init.httpStatus ?? null
    this.retryAfterSeconds = init.retryAfterSeconds ?? null
    this.nextAllowedAt = init.nextAllowedAt ?? null
  }
}

export function isProviderError (err: unknown): err is ProviderError {
  return err instanceof ProviderError
}
