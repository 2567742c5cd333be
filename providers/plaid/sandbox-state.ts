/** In-memory, bounded state of one Plaid sandbox instance: link tokens, Items, public tokens. */
import { randomUUID } from 'node:crypto'
import { createExtraTransactions } from '../sandbox-kit/extra-transactions.js'
import type { SandboxOptions } from '../module.js'
import { plaidId, type SandboxInstitution } from './sandbox-data.js'

export const SANDBOX_LIMITS = Object.freeze({ items: 200, linkTokens: 500, publicTokens: 500, snapshotsPerStream: 8, webhookTimeoutMs: 5_000 })
export const DAY_MS = 86_400_000
export const CREATE_LINK_TOKEN_TTL_MS = 4 * 60 * 60 * 1000
export const UPDATE_LINK_TOKEN_TTL_MS = 30 * 60 * 1000
export const PUBLIC_TOKEN_TTL_MS = 30 * 60 * 1000
/** Sandbox choice: the OAuth (MFA) bank asks for a new consent every 365 days, like US 1033 reauthorisation. */
export const OAUTH_CONSENT_MS = 365 * DAY_MS

export interface SandboxAccount { accountId: string, index: number, seed: string, subtype: 'checking' | 'savings', mask: string }

export interface Snapshot { digest: string, entries: Map<string, string> }
export interface SyncStream { nextSeq: number, snapshots: Map<number, Snapshot> }

export interface SandboxItem {
  itemId: string
  accessToken: string
  institution: SandboxInstitution
  createdAt: number
  /** min(bank's history, `transactions.days_requested`): how far back the data goes from the link day. */
  historyDays: number
  webhook: string | null
  consentExpiresAt: number | null
  loginRequired: boolean
  /** Manual-only bank: data frozen at the last Link session (Plaid cannot log in without the user). */
  dataAsOf: number | null
  lastRefreshAt: number | null
  removed: boolean
  notReady: boolean
  syncCalled: boolean
  calls: number
  accounts: SandboxAccount[]
  streams: Map<string, SyncStream>
}

export interface LinkSessionRecord {
  id: string
  startedAt: number
  finishedAt: number | null
  publicToken: string | null
  exit: { error: Record<string, unknown> | null, status: string } | null
  mfaFailures: number
}

export interface LinkTokenRecord {
  linkToken: string
  hostedId: string
  createdAt: number
  expiresAt: number
  institution: SandboxInstitution
  webhook: string | null
  metadata: Record<string, unknown>
  /** Set for update mode. */
  updateItemId: string | null
  daysRequested: number
  completionUri: string
  session: LinkSessionRecord | null
}

/** When a control-route transaction appeared and posted, so a frozen (manual) Item can hide later ones. */
export interface ExtraTimes { addedAt: number, postedAt: number | null, createdPending: boolean }

function bounded<K, V> (map: Map<K, V>, limit: number): void {
  while (map.size > limit) map.delete(map.keys().next().value as K)
}

function maskFor (seed: string, taken: string | null): string {
  let n = parseInt(plaidId(seed, 'mask').replace(/\D/g, '').slice(0, 4).padEnd(4, '7'), 10) % 10_000
  if (String(n).padStart(4, '0') === taken) n = (n + 1) % 10_000
  return String(n).padStart(4, '0')
}

export function createSandboxState (opts: SandboxOptions) {
  const now = opts.now ?? Date.now
  const items = new Map<string, SandboxItem>()
  const byAccessToken = new Map<string, string>()
  const linkTokens = new Map<string, LinkTokenRecord>()
  const publicTokens = new Map<string, { itemId: string, expiresAt: number, used: boolean }>()
  const extras = createExtraTransactions()
  const extraTimes = new Map<string, ExtraTimes>()
  let itemCounter = 0
  /** Bumped whenever data changes other than by the clock (extras added or posted, Items relinked). */
  let dataVersion = 0

  function createItem (institution: SandboxInstitution, webhook: string | null, daysRequested: number): SandboxItem {
    const createdAt = now()
    const itemId = plaidId(opts.seed, 'item', institution.id, ++itemCounter, createdAt, randomUUID())
    const accounts: SandboxAccount[] = []
    for (const [index, subtype] of (['checking', 'savings'] as const).entries()) {
      const seed = `${opts.seed}|${institution.id}|${index}`
      accounts.push({ accountId: plaidId(itemId, 'account', index), index, seed, subtype, mask: maskFor(seed, accounts[0]?.mask ?? null) })
    }
    const item: SandboxItem = {
      itemId,
      accessToken: `access-sandbox-${randomUUID()}`,
      institution,
      createdAt,
      historyDays: Math.min(institution.bank.historyDays, daysRequested),
      webhook,
      consentExpiresAt: institution.bank.mfa ? createdAt + OAUTH_CONSENT_MS : null,
      loginRequired: false,
      dataAsOf: institution.bank.manualOnly ? createdAt : null,
      lastRefreshAt: null,
      removed: false,
      notReady: false,
      syncCalled: false,
      calls: 0,
      accounts,
      streams: new Map()
    }
    items.set(itemId, item)
    byAccessToken.set(item.accessToken, itemId)
    for (const [id, old] of items) {
      if (items.size <= SANDBOX_LIMITS.items) break
      items.delete(id)
      byAccessToken.delete(old.accessToken)
    }
    return item
  }

  function issuePublicToken (item: SandboxItem): string {
    const token = `public-sandbox-${randomUUID()}`
    publicTokens.set(token, { itemId: item.itemId, expiresAt: now() + PUBLIC_TOKEN_TTL_MS, used: false })
    bounded(publicTokens, SANDBOX_LIMITS.publicTokens)
    return token
  }

  function addLinkToken (record: LinkTokenRecord): void {
    linkTokens.set(record.linkToken, record)
    bounded(linkTokens, SANDBOX_LIMITS.linkTokens)
  }

  function findAccount (accountId: unknown): { item: SandboxItem, account: SandboxAccount } | undefined {
    for (const item of items.values()) {
      if (item.removed) continue
      const account = item.accounts.find(a => a.accountId === accountId)
      if (account !== undefined) return { item, account }
    }
    return undefined
  }

  return {
    opts,
    now,
    items,
    linkTokens,
    publicTokens,
    extras,
    extraTimes,
    createItem,
    issuePublicToken,
    addLinkToken,
    findAccount,
    itemByAccessToken: (token: unknown): SandboxItem | undefined => typeof token === 'string' ? items.get(byAccessToken.get(token) ?? '') : undefined,
    linkTokenByHostedId: (id: string): LinkTokenRecord | undefined => [...linkTokens.values()].find(r => r.hostedId === id),
    /** Time the Item's data reflects: now, or the last Link session for the manual-only bank. */
    dataTime: (item: SandboxItem): number => item.dataAsOf ?? now(),
    boundExtras: (): void => bounded(extraTimes, 10_000),
    version: (): number => dataVersion,
    touch: (): void => { dataVersion += 1 }
  }
}

export type SandboxState = ReturnType<typeof createSandboxState>
