/**
 * In-memory state of one Enable Banking sandbox instance: authorizations, codes, sessions, account
 * uids, unattended-access counters and flaky-bank call counters. Every map is bounded.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { SandboxBank } from '../sandbox-kit/banks.js'
import { createExtraTransactions } from '../sandbox-kit/extra-transactions.js'
import type { SandboxAccountInfo } from './sandbox-data.js'

const MAX_ENTRIES = 10_000

/** Map#set that drops the oldest entry once the map is full. */
export function boundedSet<K, V> (map: Map<K, V>, key: K, value: V, max = MAX_ENTRIES): void {
  if (!map.has(key) && map.size >= max) {
    const oldest = map.keys().next()
    if (oldest.done !== true) map.delete(oldest.value)
  }
  map.set(key, value)
}

export interface SandboxAuthorization {
  id: string
  bank: SandboxBank
  country: string
  state: string
  redirectUrl: string
  validUntil: string
  validUntilMs: number
  psuType: 'business' | 'personal'
  psuIdHash: string
  createdAt: number
  /** Set once the user approved or denied on the consent page. */
  decided: boolean
}

export interface SandboxSession {
  id: string
  bank: SandboxBank
  country: string
  psuType: 'business' | 'personal'
  psuIdHash: string
  validUntil: string
  validUntilMs: number
  created: number
  authorized: number
  closed: number | null
  /** Stored status; EXPIRED is derived from the clock. */
  status: 'AUTHORIZED' | 'CLOSED' | 'REVOKED'
  accounts: Array<{ uid: string, info: SandboxAccountInfo }>
}

export function sessionStatus (s: SandboxSession, now: number): 'AUTHORIZED' | 'CLOSED' | 'REVOKED' | 'EXPIRED' {
  if (s.status === 'AUTHORIZED' && now >= s.validUntilMs) return 'EXPIRED'
  return s.status
}

export function createSandboxState () {
  const keySecret = randomBytes(32)
  return {
    authorizations: new Map<string, SandboxAuthorization>(),
    codes: new Map<string, { authorizationId: string, expiresAt: number, used: boolean }>(),
    sessions: new Map<string, SandboxSession>(),
    /** uid → session id and account index. */
    uids: new Map<string, { sessionId: string, index: number }>(),
    /** identification_hash → account (for the control routes). */
    accountsByHash: new Map<string, SandboxAccountInfo>(),
    /** `<hash>|<scope>` → times (sandbox clock) of unattended accesses in the last 24 h. */
    unattended: new Map<string, number[]>(),
    /** identification_hash → data calls so far (flaky bank schedule). */
    flakyCalls: new Map<string, number>(),
    extra: createExtraTransactions(),

    /** Continuation keys are signed and name their session and account, like Enable Banking's. */
    signKey (payload: object): string {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64')
      return `${body}.${createHmac('sha256', keySecret).update(body).digest('hex')}`
    },
    readKey (key: string): Record<string, unknown> | null {
      const dot = key.lastIndexOf('.')
      if (dot <= 0) return null
      const body = key.slice(0, dot)
      const mac = Buffer.from(key.slice(dot + 1), 'hex')
      const expected = createHmac('sha256', keySecret).update(body).digest()
      if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null
      try {
        const parsed = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as unknown
        return parsed !== null && typeof parsed === 'object' ? parsed as Record<string, unknown> : null
      } catch {
        return null
      }
    }
  }
}

export type SandboxState = ReturnType<typeof createSandboxState>
