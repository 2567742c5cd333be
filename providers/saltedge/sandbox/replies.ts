/**
 * Salt Edge-shaped replies for the sandbox: the `{error:{class,message,documentation_url},request}`
 * body with the class's HTTP status, and the connection / consent objects as the API shows them.
 */
import type { FastifyReply } from 'fastify'
import type { SeConnection, SeConsent } from '../wire.js'
import type { ConnectionRec, ConsentRec } from './state.js'

/** HTTP status per error class (Salt Edge answers business refusals with 406 and conflicts with 409). */
const STATUS: Record<string, number> = {
  WrongRequestFormat: 400,
  AppIdNotProvided: 400,
  SecretNotProvided: 400,
  MissingSignature: 400,
  ExpiresAtInvalid: 400,
  RequestExpired: 400,
  InvalidFromDate: 400,
  ApiKeyNotFound: 401,
  SignatureNotMatch: 401,
  ProviderNotFound: 404,
  CustomerNotFound: 404,
  ConnectionNotFound: 404,
  ConsentNotFound: 404,
  AccountNotFound: 404,
  ConnectionCannotBeRefreshed: 406,
  BackgroundFetchLimitExceeded: 406,
  AispConsentExpired: 406,
  AispConsentRevoked: 406,
  ConnectionDisabled: 406,
  DuplicatedCustomer: 409,
  ConnectionAlreadyProcessing: 409,
  TooManyRequests: 429,
  InternalServerError: 500,
  ProviderUnavailable: 503
}

export function seError (reply: FastifyReply, errorClass: string, message: string, request: Record<string, unknown> = {}): FastifyReply {
  const slug = errorClass.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()
  return reply.code(STATUS[errorClass] ?? 400).type('application/json').send({
    error: { class: errorClass, message, documentation_url: `https://docs.saltedge.com/v6/api_reference#errors-${slug}` },
    request
  })
}

export function iso (ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function isoDay (ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

export function nextRefreshAt (c: ConnectionRec, now: number): number | null {
  if (!c.entry.provider.automatic_fetch || now < c.processingUntil) return null
  return c.lastSuccessAt + c.entry.provider.refresh_timeout * 60_000
}

export function connectionJson (c: ConnectionRec, now: number): SeConnection {
  const next = nextRefreshAt(c, now)
  const p = c.entry.provider
  return {
    id: c.id,
    customer_id: c.customerId,
    provider_code: p.code,
    provider_name: p.name,
    country_code: p.country_code,
    status: c.status,
    automatic_refresh: p.automatic_fetch,
    last_consent_id: c.lastConsentId,
    last_success_at: iso(c.lastSuccessAt),
    next_refresh_possible_at: next === null ? null : iso(next),
    last_attempt: {
      id: c.lastAttempt.id,
      automatic_fetch: p.automatic_fetch,
      user_present: c.lastAttempt.userPresent,
      fetch_scopes: ['accounts', 'transactions'],
      from_date: null,
      success_at: iso(c.lastAttempt.at),
      fail_at: null,
      fail_error_class: null,
      fail_message: null,
      created_at: iso(c.lastAttempt.at),
      updated_at: iso(c.lastAttempt.at)
    },
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt)
  }
}

export function consentStatus (c: ConsentRec, now: number): SeConsent['status'] {
  if (c.revokedAt !== null) return 'revoked'
  if (c.expiresAt !== null && now >= c.expiresAt) return 'expired'
  return 'active'
}

export function consentJson (c: ConsentRec, now: number): SeConsent {
  return {
    id: c.id,
    connection_id: c.connectionId,
    customer_id: c.customerId,
    status: consentStatus(c, now),
    scopes: ['accounts', 'transactions'],
    period_days: c.periodDays,
    expires_at: c.expiresAt === null ? null : iso(c.expiresAt),
    from_date: c.fromDate,
    to_date: null,
    collected_by: 'client',
    revoked_at: c.revokedAt === null ? null : iso(c.revokedAt),
    created_at: iso(c.createdAt),
    updated_at: iso(c.revokedAt ?? c.createdAt)
  }
}

/** `from_id`/`per_page` paging over items sorted by numeric id; `next_page` like the real API. */
export function paginate<T extends { id: string }> (items: T[], query: Record<string, string | undefined>, path: string): { data: T[], meta: { next_id: string | null, next_page: string | null } } | null {
  const perPage = query.per_page === undefined ? 1000 : Number(query.per_page)
  if (!Number.isInteger(perPage) || perPage < 1) return null
  const size = Math.min(perPage, 1000)
  let start = 0
  if (query.from_id !== undefined) {
    if (!/^\d{1,30}$/.test(query.from_id)) return null
    const from = BigInt(query.from_id)
    start = items.findIndex(i => BigInt(i.id) >= from)
    if (start < 0) start = items.length
  }
  const data = items.slice(start, start + size)
  const next = items[start + size]
  if (next === undefined) return { data, meta: { next_id: null, next_page: null } }
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && k !== 'from_id') params.set(k, v)
  params.set('from_id', next.id)
  return { data, meta: { next_id: next.id, next_page: `/api/v6${path}?${params.toString()}` } }
}
