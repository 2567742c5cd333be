/**
 * In-memory state of one Ponto sandbox instance: pending authorization requests, codes, grants and
 * tokens (refresh tokens rotate), onboarding details, account authorizations and synchronizations.
 * Every map is bounded; the oldest entries go first.
 */
import { randomBytes } from 'node:crypto'
import { createExtraTransactions } from '../../sandbox-kit/extra-transactions.js'
import type { ExtraTimes, HistoryRows } from './data.js'

const MAX_ENTRIES = 10_000
export const ACCESS_TOKEN_SECONDS = 1799
export const CODE_TTL_MS = 10 * 60_000
export const AUTH_REQUEST_TTL_MS = 30 * 60_000
export const CONSENT_DAYS = 90

export interface AuthRequest { clientId: string, redirectUri: string, state: string | null, challenge: string, scope: string, institutionId: string, createdAt: number }
export interface AuthCode { request: AuthRequest, expiresAt: number, used: boolean }
export interface Grant { id: string, institutionId: string, organizationId: string, accountIds: string[], revoked: boolean }
export interface Authorization { authorizedAt: number, expiresAt: number }
export interface Synchronization {
  id: string
  accountId: string
  subtype: string
  createdAt: number
  customerIpAddress: string | null
  outcome: 'success' | 'error'
  errors: Array<Record<string, unknown>>
  notified: boolean
}

/** A Map that forgets its oldest entry past `MAX_ENTRIES`. */
export function boundedMap<K, V> (max = MAX_ENTRIES): Map<K, V> {
  const map = new Map<K, V>()
  const set = map.set.bind(map)
  map.set = (key: K, value: V) => {
    if (!map.has(key) && map.size >= max) map.delete(map.keys().next().value as K)
    return set(key, value)
  }
  return map
}

export function opaqueToken (): string {
  return `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`
}

export function createState () {
  return {
    authRequests: boundedMap<string, AuthRequest>(),
    codes: boundedMap<string, AuthCode>(),
    grants: boundedMap<string, Grant>(),
    accessTokens: boundedMap<string, { grantId: string | null, expiresAt: number }>(),
    refreshTokens: boundedMap<string, string>(),
    onboarding: boundedMap<string, { institutionId: string, email: string | null }>(),
    authorizations: boundedMap<string, Authorization>(),
    syncs: boundedMap<string, Synchronization>(),
    idempotency: boundedMap<string, string>(),
    flakyCalls: boundedMap<string, number>(),
    extras: createExtraTransactions(),
    extraTimes: boundedMap<string, ExtraTimes>(),
    /** Rendered kit history per account and minute (generating two years takes ~70 ms). */
    history: boundedMap<string, HistoryRows>(40)
  }
}

export type SandboxState = ReturnType<typeof createState>

/** Issues an access/refresh pair for a grant (or a client token when `grantId` is null). */
export function issueTokens (state: SandboxState, grantId: string | null, now: number): { access_token: string, refresh_token?: string, expires_in: number, scope: string, token_type: string } {
  const access = opaqueToken()
  state.accessTokens.set(access, { grantId, expiresAt: now + ACCESS_TOKEN_SECONDS * 1000 })
  if (grantId === null) return { access_token: access, expires_in: ACCESS_TOKEN_SECONDS, scope: '', token_type: 'bearer' }
  const refresh = opaqueToken()
  state.refreshTokens.set(refresh, grantId)
  return { access_token: access, refresh_token: refresh, expires_in: ACCESS_TOKEN_SECONDS, scope: 'offline_access ai pi name', token_type: 'bearer' }
}

/** The grant behind a Bearer header, or null when the token is unknown, expired or revoked. */
export function grantOf (state: SandboxState, authorization: string | undefined, now: number): Grant | null {
  const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1]
  const record = token === undefined ? undefined : state.accessTokens.get(token)
  if (record === undefined || record.expiresAt <= now || record.grantId === null) return null
  const grant = state.grants.get(record.grantId)
  return grant === undefined || grant.revoked ? null : grant
}

export function isClientToken (state: SandboxState, authorization: string | undefined, now: number): boolean {
  const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1]
  const record = token === undefined ? undefined : state.accessTokens.get(token)
  return record !== undefined && record.grantId === null && record.expiresAt > now
}

/** Synchronizations advance with the sandbox clock: 1 s pending, 1 s running, then final. */
export function syncStatus (sync: Synchronization, now: number): 'pending' | 'running' | 'success' | 'error' {
  if (now < sync.createdAt + 1_000) return 'pending'
  if (now < sync.createdAt + 2_000) return 'running'
  return sync.outcome
}

export const syncDoneAt = (sync: Synchronization): number => sync.createdAt + 2_000
