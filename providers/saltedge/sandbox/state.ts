/**
 * In-memory state of one Salt Edge sandbox instance: customers, Connect sessions, connections,
 * consents and accounts, in bounded Maps (oldest entries evicted), with Salt Edge-style numeric ids.
 */
import { createExtraTransactions } from '../../sandbox-kit/extra-transactions.js'
import type { CatalogEntry } from './catalog.js'

export interface CustomerRec { id: string, identifier: string, createdAt: number }

export interface SessionRec {
  token: string
  customerId: string
  providerCode: string
  returnTo: string
  returnConnectionId: boolean
  returnErrorClass: boolean
  fromDate: string | null
  periodDays: number | null
  reconnectId: string | null
  expiresAt: number
  otpFailures: number
}

export interface AccountRec {
  id: string
  /** Small number unique in this sandbox, used inside transaction ids. */
  seq: number
  index: number
  seed: string
  currency: string
  iban: string | null
  accountNumber: string
  createdAt: number
}

export interface ConsentRec {
  id: string
  connectionId: string
  customerId: string
  periodDays: number | null
  fromDate: string
  createdAt: number
  expiresAt: number | null
  revokedAt: number | null
}

export interface ConnectionRec {
  id: string
  customerId: string
  entry: CatalogEntry
  status: 'active' | 'inactive' | 'disabled'
  createdAt: number
  updatedAt: number
  lastSuccessAt: number
  /** Sandbox clock until which a refresh is still running. */
  processingUntil: number
  /** Bumped at every fetch: pending transactions get new ids each time (Salt Edge re-creates them). */
  fetchGeneration: number
  unattendedFetches: number[]
  lastConsentId: string
  lastAttempt: { id: string, userPresent: boolean, at: number }
  accounts: AccountRec[]
}

export const LIMITS = { customers: 10_000, sessions: 10_000, connections: 10_000, consents: 20_000, flakyCounters: 10_000 }

function putBounded<K, V> (map: Map<K, V>, key: K, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) {
    const oldest = map.keys().next()
    if (oldest.done !== true) map.delete(oldest.value)
  }
  map.set(key, value)
}

export function createState () {
  let seq = 0
  const nextId = (base: bigint): string => String(base + BigInt(++seq))
  const customers = new Map<string, CustomerRec>()
  const customersByIdentifier = new Map<string, string>()
  const sessions = new Map<string, SessionRec>()
  const connections = new Map<string, ConnectionRec>()
  const consents = new Map<string, ConsentRec>()
  const accounts = new Map<string, { connectionId: string, account: AccountRec }>()
  const flaky = new Map<string, number>()
  let accountSeq = 0
  return {
    customers,
    customersByIdentifier,
    sessions,
    connections,
    consents,
    accounts,
    extras: createExtraTransactions(),
    ids: {
      customer: () => nextId(200_000_000_000_000_000n),
      connection: () => nextId(300_000_000_000_000_000n),
      consent: () => nextId(400_000_000_000_000_000n),
      account: () => nextId(500_000_000_000_000_000n),
      attempt: () => nextId(600_000_000_000_000_000n),
      accountSeq: () => ++accountSeq
    },
    putCustomer (c: CustomerRec): void {
      putBounded(customers, c.id, c, LIMITS.customers)
      putBounded(customersByIdentifier, c.identifier, c.id, LIMITS.customers)
    },
    putSession (s: SessionRec): void { putBounded(sessions, s.token, s, LIMITS.sessions) },
    putConnection (c: ConnectionRec): void {
      putBounded(connections, c.id, c, LIMITS.connections)
      for (const a of c.accounts) putBounded(accounts, a.id, { connectionId: c.id, account: a }, LIMITS.connections * 2)
    },
    removeConnection (id: string): void {
      const c = connections.get(id)
      if (c === undefined) return
      for (const a of c.accounts) accounts.delete(a.id)
      connections.delete(id)
    },
    putConsent (c: ConsentRec): void { putBounded(consents, c.id, c, LIMITS.consents) },
    /** n-th call (1-based) for the flaky bank, counted per account (or connection). */
    flakyCall (key: string): number {
      const n = (flaky.get(key) ?? 0) + 1
      putBounded(flaky, key, n, LIMITS.flakyCounters)
      return n
    }
  }
}

export type SandboxState = ReturnType<typeof createState>
