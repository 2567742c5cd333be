/**
 * Sandbox connection life cycle shared by the API routes and the Connect widget: creating a
 * connection (2 accounts) or renewing it on reconnect, consents, refresh rules (refresh_timeout,
 * automatic_fetch, PSD2 4 unattended fetches a day) and success/fail callbacks.
 */
import type { SandboxOptions } from '../../module.js'
import { callbackBody, deliverCallback } from './callbacks.js'
import type { CatalogEntry } from './catalog.js'
import { makeAccount } from './data.js'
import { consentStatus, isoDay, nextRefreshAt } from './replies.js'
import type { ConnectionRec, SandboxState, SessionRec } from './state.js'

const DAY_MS = 86_400_000
/** How long a started refresh keeps the connection "processing" (sandbox clock). */
export const PROCESSING_MS = 10_000
export const PSD2_UNATTENDED_PER_DAY = 4

export function newConsent (state: SandboxState, c: { id: string, customerId: string, entry: CatalogEntry }, s: SessionRec, now: number): string {
  const max = c.entry.provider.max_consent_days
  const period = max === null ? s.periodDays : Math.min(s.periodDays ?? max, max)
  const id = state.ids.consent()
  const earliest = isoDay(now - c.entry.provider.max_fetch_interval * DAY_MS)
  state.putConsent({
    id,
    connectionId: c.id,
    customerId: c.customerId,
    periodDays: period,
    fromDate: s.fromDate !== null && s.fromDate > earliest ? s.fromDate : earliest,
    createdAt: now,
    expiresAt: period === null ? null : now + period * DAY_MS,
    revokedAt: null
  })
  return id
}

/** The widget's successful finish: a new connection, or the reconnected one renewed. */
export function finishConnect (state: SandboxState, opts: SandboxOptions, s: SessionRec, entry: CatalogEntry, now: number): ConnectionRec {
  const existing = s.reconnectId === null ? undefined : state.connections.get(s.reconnectId)
  if (existing !== undefined) {
    existing.lastConsentId = newConsent(state, existing, s, now)
    existing.status = 'active'
    existing.lastSuccessAt = now
    existing.updatedAt = now
    existing.fetchGeneration++
    existing.lastAttempt = { id: state.ids.attempt(), userPresent: true, at: now }
    return existing
  }
  const id = state.ids.connection()
  const country = entry.provider.country_code
  const accounts = [0, 1].map(i => makeAccount(state, opts.seed, entry.provider.code, country, entry.currency, i, now))
  const base = { id, customerId: s.customerId, entry }
  const conn: ConnectionRec = {
    ...base,
    status: 'active',
    createdAt: now,
    updatedAt: now,
    lastSuccessAt: now,
    processingUntil: 0,
    fetchGeneration: 1,
    unattendedFetches: [],
    lastConsentId: newConsent(state, base, s, now),
    lastAttempt: { id: state.ids.attempt(), userPresent: true, at: now },
    accounts
  }
  state.putConnection(conn)
  return conn
}

export type RefreshRefusal = { errorClass: string, message: string }

/** Why a refresh is refused now, in Salt Edge's terms, or null when it may run. */
export function refreshRefusal (state: SandboxState, c: ConnectionRec, userPresent: boolean, now: number): RefreshRefusal | null {
  if (c.status === 'disabled') return { errorClass: 'ConnectionDisabled', message: 'Connection is disabled.' }
  const consent = state.consents.get(c.lastConsentId)
  const status = consent === undefined ? 'revoked' : consentStatus(consent, now)
  if (status === 'revoked') return { errorClass: 'AispConsentRevoked', message: 'The consent for this connection was revoked.' }
  if (status === 'expired') return { errorClass: 'AispConsentExpired', message: 'The consent for this connection has expired.' }
  if (now < c.processingUntil) return { errorClass: 'ConnectionAlreadyProcessing', message: 'Connection is already being processed.' }
  const p = c.entry.provider
  if (!p.automatic_fetch && !userPresent) {
    return { errorClass: 'ConnectionCannotBeRefreshed', message: 'This provider does not allow automatic fetching; the customer has to be present.' }
  }
  const next = nextRefreshAt(c, now)
  if (next !== null && now < next) return { errorClass: 'ConnectionCannotBeRefreshed', message: `Connection cannot be refreshed before ${new Date(next).toISOString()}.` }
  if (p.regulated && !userPresent) {
    const recent = c.unattendedFetches.filter(t => t > now - DAY_MS)
    if (recent.length >= PSD2_UNATTENDED_PER_DAY) {
      return { errorClass: 'BackgroundFetchLimitExceeded', message: 'Background fetch limit (4 times in a 24 hour period) exceeded for this PSD2 provider.' }
    }
  }
  return null
}

export function startRefresh (state: SandboxState, c: ConnectionRec, userPresent: boolean, now: number): void {
  c.lastSuccessAt = now
  c.updatedAt = now
  c.processingUntil = now + PROCESSING_MS
  c.fetchGeneration++
  c.lastAttempt = { id: state.ids.attempt(), userPresent, at: now }
  if (!userPresent) c.unattendedFetches = [...c.unattendedFetches.filter(t => t > now - DAY_MS), now]
}

export async function sendSuccess (opts: SandboxOptions, c: ConnectionRec, now: number): Promise<void> {
  await deliverCallback(opts, callbackBody({ connection_id: c.id, customer_id: c.customerId, custom_fields: {}, stage: 'finish' }, now))
}

export async function sendFail (opts: SandboxOptions, s: SessionRec, errorClass: string, message: string, now: number): Promise<void> {
  const data = { customer_id: s.customerId, custom_fields: {}, stage: 'finish', error_class: errorClass, error_message: message }
  await deliverCallback(opts, callbackBody(s.reconnectId === null ? data : { ...data, connection_id: s.reconnectId }, now))
}
