/**
 * In-memory state of one Yodlee sandbox instance (users, tokens, providerAccounts, FastLink sessions),
 * every map bounded so a long-running demo cannot grow without limit.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createExtraTransactions } from '../../sandbox-kit/extra-transactions.js'
import type { SandboxTransaction } from '../../sandbox-kit/history.js'
import type { SandboxProvider } from './banks.js'

const MAX_USERS = 10_000
const MAX_TOKENS = 20_000
const MAX_LINKS = 10_000
const MAX_SESSIONS = 2_000

export interface TokenState { loginName: string, admin: boolean, expiresAt: number }

export interface AccountState {
  id: number
  index: number
  /** Seed of the kit history: `${seed}|<providerId>|<index>`. */
  seed: string
  type: 'CHECKING' | 'SAVINGS'
  name: string
  maskedNumber: string
}

export interface ConsentState { id: number, startDate: string, expirationDate: string, revoked: boolean }

export interface LinkState {
  id: number
  loginName: string
  provider: SandboxProvider
  createdAt: number
  requestId: string
  accounts: AccountState[]
  lastUpdated: number
  lastUpdateAttempt: number
  /** A refresh runs until this time. */
  refreshUntil: number | null
  /** No refresh is accepted before this time (15 min; 24 h for the daily bank). */
  nextAllowedAt: number | null
  /** `additionalStatus` forced through the control route (INCORRECT_CREDENTIALS, SITE_UNAVAILABLE, …). */
  forced: string | null
  consent: ConsentState | null
}

export interface FastLinkSession {
  id: string
  loginName: string
  provider: SandboxProvider
  flow: 'add' | 'edit'
  linkId: number | null
  callback: string
  attempts: number
  expiresAt: number
}

function put<K, V> (map: Map<K, V>, key: K, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) map.delete(map.keys().next().value as K)
  map.set(key, value)
}

export function createStore (seed: string) {
  const users = new Set<string>()
  const tokens = new Map<string, TokenState>()
  const links = new Map<number, LinkState>()
  const accounts = new Map<number, { link: LinkState, account: AccountState }>()
  const sessions = new Map<string, FastLinkSession>()
  const flakyCalls = new Map<number, number>()
  const extras = createExtraTransactions()
  const historyMemo = new Map<string, SandboxTransaction[]>()
  let sequence = 0

  function deleteLink (id: number): void {
    const link = links.get(id)
    if (link === undefined) return
    for (const a of link.accounts) accounts.delete(a.id)
    links.delete(id)
    flakyCalls.delete(id)
  }

  function numericId (...parts: Array<string | number>): number {
    return 10_000_000 + (createHash('sha256').update(parts.join('|')).digest().readUInt32BE(0) % 89_999_999)
  }

  return {
    extras,
    historyMemo,
    addUser (loginName: string): void {
      if (users.has(loginName)) return
      if (users.size >= MAX_USERS) users.delete(users.values().next().value as string)
      users.add(loginName)
    },
    issueToken (loginName: string, admin: boolean, expiresAt: number): string {
      const token = randomBytes(21).toString('base64url')
      put(tokens, token, { loginName, admin, expiresAt }, MAX_TOKENS)
      return token
    },
    token (value: string): TokenState | undefined {
      return tokens.get(value)
    },
    createLink (loginName: string, provider: SandboxProvider, now: number): LinkState {
      let id = numericId(seed, loginName, provider.id, ++sequence)
      while (links.has(id)) id++
      const link: LinkState = {
        id,
        loginName,
        provider,
        createdAt: now,
        requestId: randomBytes(12).toString('base64url'),
        accounts: (['CHECKING', 'SAVINGS'] as const).map((type, index) => ({
          id: id * 10 + index + 1,
          index,
          seed: `${seed}|${provider.id}|${index}`,
          type,
          name: type === 'CHECKING' ? (provider.country === 'US' ? 'Business Checking' : 'Business Current Account') : 'Business Savings',
          maskedNumber: `xxxx${String((id + index * 7919) % 10_000).padStart(4, '0')}`
        })),
        lastUpdated: now,
        lastUpdateAttempt: now,
        refreshUntil: null,
        nextAllowedAt: null,
        forced: null,
        consent: null
      }
      if (links.size >= MAX_LINKS) {
        const oldest = links.values().next().value as LinkState
        deleteLink(oldest.id)
      }
      links.set(id, link)
      for (const account of link.accounts) accounts.set(account.id, { link, account })
      return link
    },
    link (id: number): LinkState | undefined {
      return links.get(id)
    },
    linksOf (loginName: string): LinkState[] {
      return [...links.values()].filter(l => l.loginName === loginName)
    },
    account (id: number): { link: LinkState, account: AccountState } | undefined {
      return accounts.get(id)
    },
    deleteLink,
    newConsentId (): number {
      return numericId(seed, 'consent', ++sequence)
    },
    openSession (s: Omit<FastLinkSession, 'id' | 'attempts'>): FastLinkSession {
      const session: FastLinkSession = { ...s, id: randomBytes(24).toString('base64url'), attempts: 0 }
      put(sessions, session.id, session, MAX_SESSIONS)
      return session
    },
    session (id: string): FastLinkSession | undefined {
      return sessions.get(id)
    },
    closeSession (id: string): void {
      sessions.delete(id)
    },
    /** Call number (1-based) of this link for the flaky schedule. */
    nextFlakyCall (linkId: number): number {
      const n = (flakyCalls.get(linkId) ?? 0) + 1
      flakyCalls.set(linkId, n)
      return n
    }
  }
}

export type SandboxStore = ReturnType<typeof createStore>
