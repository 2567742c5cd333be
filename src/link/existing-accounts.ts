/**
 * Connecting an account of a link the database already has (odoo-protocol.md §8.1 steps 2 and 7).
 * Before opening a link-mode pop-up, Odoo calls `/proxy/v1/authorize_access` on each of its links
 * that still has accounts without a journal, all with one fresh `record_access_token`, and passes
 * that token to the pop-up as `includeParam.recordAccessToken`. The pop-up then offers those
 * links' accounts that Odoo has not activated; choosing one posts `connect_existing_account`
 * with `{client_id, online_identifier}` (and 19's `journal_type`), and Odoo fetches that account.
 */
import { createHash } from 'node:crypto'
import type { Services } from '../services.js'
import type { Account } from '../../providers/types.js'
import { allStoredAccounts, type LinkContext } from '../proxy/link-context.js'
import { isLocked, lockTarget } from '../locks/store.js'
import { readLink, readLinkAccess, writeLinkAccess } from './store.js'

/** A grant lasts as long as a link session: Odoo opens the pop-up right after granting. */
export const GRANT_TTL_MS = 3_600_000
/** Grants kept per link: two users opening pop-ups at once must not cancel each other's. */
const KEPT_GRANTS = 5
/** Links looked at per pop-up (a database has a handful; this bounds the loop). */
const MAX_LINKS = 50

export interface ExistingAccount {
  clientId: string
  /** The account's `online_identifier`. */
  accountId: string
  bank: string
  name: string
  /** Last four characters of the account number, or null when the provider gave none. */
  numberEnd: string | null
  currency: string
}

export const recordAccessTokenHash = (token: string): string => createHash('sha256').update(token).digest('hex')

/** Odoo's token is base64 of a uuid4 (24 characters); anything implausible grants nothing. */
export function isRecordAccessToken (value: unknown): value is string {
  return typeof value === 'string' && value.length >= 16 && value.length <= 200
}

/** Records which accounts Odoo activated and, with a token, lets a pop-up of this database offer the others. */
export async function recordAuthorizeAccess (s: Services, dbUuid: string, clientId: string, activated: string[], token: string | null): Promise<void> {
  const now = s.now()
  const previous = await readLinkAccess(s, dbUuid, clientId)
  const live = (previous?.grants ?? []).filter(g => now - g.at < GRANT_TTL_MS)
  const sameActivated = sameSet(previous?.activated ?? [], activated)
  // A call that grants nothing and changes nothing writes nothing (it is also a cheap probe).
  if (token === null && sameActivated && live.length === (previous?.grants.length ?? 0)) return
  const grants = token === null ? live : [{ hash: recordAccessTokenHash(token), at: now }, ...live].slice(0, KEPT_GRANTS)
  await writeLinkAccess(s, dbUuid, clientId, { activated, grants })
}

function sameSet (a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a)
  return set.size === new Set(b).size && b.every(x => set.has(x))
}

export function unlinkedAccounts (accounts: Account[], activated: readonly string[]): Account[] {
  const linked = new Set(activated)
  return accounts.filter(a => !linked.has(a.id))
}

const numberEnd = (accountNumber: string | null): string | null => {
  const compact = (accountNumber ?? '').replace(/[\s-]/g, '')
  return compact.length === 0 ? null : compact.slice(-4)
}

/** The accounts a pop-up opened with `token` may offer: granted, unlocked links of this database only. */
export async function accountsOfferedTo (s: Services, dbUuid: string, token: string): Promise<ExistingAccount[]> {
  const hash = recordAccessTokenHash(token)
  const now = s.now()
  const offered: ExistingAccount[] = []
  const clientIds = (await s.clients.listForDb(dbUuid)).sort().slice(0, MAX_LINKS)
  for (const clientId of clientIds) {
    const access = await readLinkAccess(s, dbUuid, clientId)
    if (access === null || !access.grants.some(g => g.hash === hash && now - g.at < GRANT_TTL_MS)) continue
    const target = await lockTarget(s, clientId)
    if (target === null || target.client.dbUuid !== dbUuid || isLocked(target) || target.client.frozen) continue
    const link = await readLink(s, dbUuid, clientId)
    if (link === null || link.connection === undefined) continue
    // allStoredAccounts only reads the database and client ids of the context.
    const stored = await allStoredAccounts(s, { dbUuid, clientId } as LinkContext)
    const bank = link.institution?.name ?? ''
    for (const a of unlinkedAccounts(stored, access.activated)) {
      offered.push({ clientId, accountId: a.id, bank, name: a.name, numberEnd: numberEnd(a.accountNumber), currency: a.currency })
    }
  }
  return offered.sort((a, b) => a.bank.localeCompare(b.bank) || a.name.localeCompare(b.name) || a.accountId.localeCompare(b.accountId))
}
