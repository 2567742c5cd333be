/**
 * The link-flow session: everything the pop-up learned and decided, sealed in one Redis value
 * (`keys.linkSession`, TTL 1 h) referenced by an unguessable id in the page URLs (the pop-up is a
 * third-party iframe, where cookies are unreliable). Every form carries the session's CSRF token.
 */
import { timingSafeEqual } from 'node:crypto'
import type { Services } from '../services.js'
import type { Institution, JsonObject } from '../../providers/types.js'
import { AppError } from '../errors.js'
import { randomToken } from '../crypto/tokens.js'
import type { ExistingAccount } from './existing-accounts.js'

export const SESSION_TTL_MS = 3_600_000
export const LINK_MODES = ['link', 'reconnect', 'updateCredentials', 'refreshAccounts', 'updateAccounts', 'none'] as const
export type LinkMode = typeof LINK_MODES[number]
const SESSION_ID = /^[A-Za-z0-9_-]{32}$/

export interface LinkSession {
  id: string
  csrf: string
  createdAt: number
  dbUuid: string
  mode: LinkMode
  /** Odoo language code (`fr_BE`). */
  lang: string
  country: string | null
  hostOrigin: string | null
  /** Set only once the access token matched the client record. */
  clientId: string | null
  phoneHint: string | null
  userEmail: string | null
  clickedInstitution: string | null
  serverVersion: string
  phoneVerified: boolean
  /** The number a code was last sent to. */
  pendingPhone: string | null
  /** The institution picked (or, when reconnecting, the link's own). */
  choice: Institution | null
  consent: { state: string, redirectUri: string, pending: JsonObject } | null
  result: { exchangeToken: string | null, success: Record<string, unknown>, connectExisting?: ConnectExistingData } | null
  /** Accounts of the database's other links that Odoo granted to this pop-up (empty once the user chose a new bank). */
  existing?: ExistingAccount[]
  /** Odoo 19's journal type, echoed in `connect_existing_account`. */
  journalType?: 'bank' | 'credit' | null
  /** The provider's consent runs in a separate window (its page refuses framing). */
  consentWindow?: boolean
  /** Set once the user lifted a lock with the SMS code in this session (src/link/reactivation.ts). */
  reactivated?: boolean
}

/** What Odoo's `account.online.link.connect_existing_account(data)` reads (odoo-protocol.md §8.1 step 7). */
export interface ConnectExistingData {
  client_id: string
  online_identifier: string
  journal_type?: 'bank' | 'credit'
}

export type NewSession = Omit<LinkSession, 'id' | 'csrf' | 'createdAt' | 'phoneVerified' | 'pendingPhone' | 'choice' | 'consent' | 'result'>

const aad = (id: string): string => `ls:${id}`

export async function createSession (s: Services, init: NewSession): Promise<LinkSession> {
  const session: LinkSession = { ...init, id: randomToken(24), csrf: randomToken(24), createdAt: s.now(), phoneVerified: false, pendingPhone: null, choice: null, consent: null, result: null }
  await s.redis.set(s.keys.linkSession(session.id), s.box.sealJson(session, aad(session.id)), 'PX', SESSION_TTL_MS)
  return session
}

/** The session, or the "expired" error page (unknown id, TTL passed, or older than an hour by the app clock). */
export async function loadSession (s: Services, id: string): Promise<LinkSession> {
  const sealed = SESSION_ID.test(id) ? await s.redis.get(s.keys.linkSession(id)) : null
  const session = sealed === null ? null : s.box.openJson<LinkSession>(sealed, aad(id))
  if (session === null || s.now() - session.createdAt > SESSION_TTL_MS) {
    throw new AppError('BSB_LINK_SESSION_EXPIRED', { detail: sealed === null ? 'unknown or expired link session' : 'link session older than one hour' })
  }
  return session
}

/** Writes the session back only while it still exists (XX), keeping its TTL. */
export async function saveSession (s: Services, session: LinkSession): Promise<void> {
  const ok = await s.redis.set(s.keys.linkSession(session.id), s.box.sealJson(session, aad(session.id)), 'KEEPTTL', 'XX')
  if (ok !== 'OK') throw new AppError('BSB_LINK_SESSION_EXPIRED', { detail: 'link session expired while in use' })
}

export async function endSession (s: Services, id: string): Promise<void> {
  await s.redis.del(s.keys.linkSession(id))
}

export function checkCsrf (session: LinkSession, given: unknown): void {
  const a = Buffer.from(typeof given === 'string' ? given : '')
  const b = Buffer.from(session.csrf)
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError('BSB_LINK_FORM_EXPIRED', { detail: 'missing or wrong CSRF token on a link form' })
}

export const sessionPath = (session: Pick<LinkSession, 'id'>, step = ''): string => `/link/s/${session.id}${step === '' ? '' : `/${step}`}`
