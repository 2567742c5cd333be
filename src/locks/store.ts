/**
 * Locks in Redis: a client lock lives in the client record (`locked`, `lock_reason`, `locked_at`,
 * `frozen`), a database-wide lock in `keys.dbLock(db)`; the gate reads both in its one round trip,
 * so a lock holds on every instance at once and survives restarts (it is data, not memory).
 * The `locked`/`lockeddbs` sets only index them for the ops listing.
 */
import type { Services } from '../services.js'
import { parseClient, type ClientRecord } from '../store/clients.js'
import { lockScripts } from './scripts.js'

export interface Actor {
  /** `rule:<name>` or `admin:<subject>`. */
  actor: string
  ip?: string | null
  userAgent?: string | null
  /** Extra audit detail (PSU info, request id). */
  context?: string
}

export interface LockTarget {
  client: ClientRecord
  dbLock: Record<string, string>
  unlockFailures: number
}

/** A client with its database lock, or null for an unknown client id. */
export async function lockTarget (s: Services, clientId: string): Promise<LockTarget | null> {
  const dbUuid = await s.clients.ownerOf(clientId)
  if (dbUuid === null) return null
  const [raw, dbLock] = await Promise.all([s.redis.hgetall(s.keys.client(dbUuid, clientId)), s.redis.hgetall(s.keys.dbLock(dbUuid))])
  const client = parseClient(clientId, raw)
  if (client === null) return null
  return { client, dbLock, unlockFailures: Number(raw.unlock_failures ?? 0) }
}

export const isLocked = (t: LockTarget): boolean => t.client.locked || t.dbLock.locked === '1'

/** The lock a code is sent for: a code sent before a re-lock cannot lift the new lock. */
export const lockIdOf = (t: LockTarget): string => `${t.client.lockedAt ?? ''}|${t.dbLock.locked_at ?? ''}`

const detail = (scope: string, reason: string, by: Actor): string => `scope=${scope} reason=${reason}${by.context !== undefined ? ` ${by.context}` : ''}`

/** Locks one client. True when this call locked it or completed a half-done lock (false: already locked or unknown). */
export async function lockClient (s: Services, dbUuid: string, clientId: string, reason: string, by: Actor): Promise<boolean> {
  const r = await lockScripts(s.redis).bsbLockClient(s.keys.client(dbUuid, clientId), reason.slice(0, 200), String(s.now()), by.actor)
  if (r === -1) return false
  // The index lives in another slot, so it is a second write: repeated even when the client was already
  // locked, which completes a lock whose first attempt died between the two (Redis killed, timeout).
  const indexed = await s.redis.sadd(s.keys.lockedClients(), clientId)
  if (r !== 1 && indexed !== 1) return false
  await s.audit.record({ type: 'lock_set', actor: by.actor, clientId, dbUuid, ip: by.ip, userAgent: by.userAgent, detail: detail('client', reason, by) })
  return true
}

/** Locks every client of a database (the gate reads `keys.dbLock`). True when this call locked it. */
export async function lockDatabase (s: Services, dbUuid: string, reason: string, by: Actor, clientId: string | null = null): Promise<boolean> {
  const r = await lockScripts(s.redis).bsbLockDb(s.keys.dbLock(dbUuid), reason.slice(0, 200), String(s.now()), by.actor)
  const indexed = await s.redis.sadd(s.keys.lockedDbs(), dbUuid)
  if (r !== 1 && indexed !== 1) return false
  await s.audit.record({ type: 'lock_set', actor: by.actor, clientId, dbUuid, ip: by.ip, userAgent: by.userAgent, detail: detail('database', reason, by) })
  return true
}

/** After an unlock: drop the listing entries and the rule counters, so old events do not re-lock at once. */
export async function forgetLock (s: Services, dbUuid: string, clientId: string): Promise<void> {
  const c = s.keys.counter
  await s.redis.srem(s.keys.lockedClients(), clientId)
  await s.redis.srem(s.keys.lockedDbs(), dbUuid)
  // One DEL per counter: the counters of a client and of its database hash to different slots on a cluster.
  const counters = [c(`badsig:${clientId}`), c(`foreign:${clientId}`), c(`links:${dbUuid}`), c(`wrongcodes:${dbUuid}`)]
  await Promise.all(counters.map(async key => await s.redis.del(key)))
  await s.redis.del(s.keys.psuIps(dbUuid, clientId), s.keys.clientBaseline(dbUuid, clientId))
}

/** Clears a freeze (ops, after checking the customer's identity); the lock stays until unlocked by code. */
export async function resetFreeze (s: Services, t: LockTarget): Promise<void> {
  const key = s.keys.client(t.client.dbUuid, t.client.clientId)
  await s.redis.multi().hdel(key, 'frozen').hset(key, 'unlock_failures', '0').exec()
}

export interface LockListing {
  clients: Array<{ client_id: string, db_uuid: string, reason: string | null, locked_at: string | null, frozen: boolean, unlock_failures: number }>
  databases: Array<{ db_uuid: string, reason: string | null, locked_at: string | null, locked_by: string | null }>
}

const iso = (ms: string | number | null | undefined): string | null => ms === null || ms === undefined || ms === '' ? null : new Date(Number(ms)).toISOString()

/** Current locks; index entries whose lock is gone (expired client, unlocked elsewhere) are pruned. */
export async function listLocks (s: Services, limit = 500): Promise<LockListing> {
  const out: LockListing = { clients: [], databases: [] }
  for (const clientId of (await s.redis.smembers(s.keys.lockedClients())).slice(0, limit)) {
    const t = await lockTarget(s, clientId)
    if (t === null || !(t.client.locked || t.client.frozen)) { await s.redis.srem(s.keys.lockedClients(), clientId); continue }
    out.clients.push({ client_id: clientId, db_uuid: t.client.dbUuid, reason: t.client.lockReason, locked_at: iso(t.client.lockedAt), frozen: t.client.frozen, unlock_failures: t.unlockFailures })
  }
  for (const dbUuid of (await s.redis.smembers(s.keys.lockedDbs())).slice(0, limit)) {
    const l = await s.redis.hgetall(s.keys.dbLock(dbUuid))
    if (l.locked !== '1') { await s.redis.srem(s.keys.lockedDbs(), dbUuid); continue }
    out.databases.push({ db_uuid: dbUuid, reason: l.reason ?? null, locked_at: iso(l.locked_at), locked_by: l.locked_by ?? null })
  }
  return out
}
