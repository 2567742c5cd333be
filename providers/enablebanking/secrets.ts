/**
 * What an Enable Banking connection keeps in `Connection.secrets` (encrypted by the broker): the
 * session id, its validity, the ASPSP, and a snapshot of each account (so listing accounts does not
 * spend a `details` call at the bank each time).
 */
import { ProviderError } from '../errors.js'
import type { Connection, JsonObject } from '../types.js'
import type { EbAccountResource } from './wire.js'

export interface EbSecrets {
  sessionId: string
  /** `access.valid_until` of the session (RFC 3339). */
  validUntil: string | null
  aspsp: { name: string, country: string }
  psuType: string
  bic: string | null
  accounts: EbAccountResource[]
}

export function readSecrets (conn: Connection): EbSecrets {
  const s = conn.secrets as Record<string, unknown>
  const aspsp = s.aspsp as { name?: unknown, country?: unknown } | undefined
  if (typeof s.sessionId !== 'string' || s.sessionId === '' || typeof aspsp?.name !== 'string' || typeof aspsp.country !== 'string') {
    throw new ProviderError({ provider: 'enablebanking', kind: 'reauth_required', message: 'connection has no Enable Banking session; link it again', providerCode: 'no_session' })
  }
  return {
    sessionId: s.sessionId,
    validUntil: typeof s.validUntil === 'string' ? s.validUntil : null,
    aspsp: { name: aspsp.name, country: aspsp.country },
    psuType: typeof s.psuType === 'string' ? s.psuType : 'business',
    bic: typeof s.bic === 'string' ? s.bic : null,
    accounts: Array.isArray(s.accounts) ? (s.accounts as unknown as EbAccountResource[]).filter(a => typeof a?.identification_hash === 'string') : []
  }
}

export function writeSecrets (s: EbSecrets, accounts: JsonObject[]): JsonObject {
  return {
    sessionId: s.sessionId,
    validUntil: s.validUntil,
    aspsp: { name: s.aspsp.name, country: s.aspsp.country },
    psuType: s.psuType,
    bic: s.bic,
    accounts
  }
}

/** The session's current `uid` for a broker account (uids change with every new session). */
export function currentUid (s: EbSecrets, accountId: string, fallback: string): string {
  const found = s.accounts.find(a => a.identification_hash === accountId)
  return typeof found?.uid === 'string' && found.uid !== '' ? found.uid : fallback
}

/** The date part of an RFC 3339 timestamp, as written (no timezone shifting). */
export function datePart (ts: string | null | undefined): string | null {
  return typeof ts === 'string' && /^\d{4}-\d{2}-\d{2}/.test(ts) ? ts.slice(0, 10) : null
}
