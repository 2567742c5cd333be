/**
 * The per-account ledger: every transaction the providers gave us, sealed, in Redis. Booked and
 * pending entries live in separate sorted sets (score = day number, ties ordered by id), so pages
 * are stable and pending entries can never appear among posted ones. Each entry records the sync
 * generation that first stored it, which lets `last_transaction_identifier` skip exactly what a
 * client already imported.
 */
import type { Services } from '../services.js'
import type { NormalizedTransaction } from '../../providers/types.js'

export interface LedgerEntry {
  tx: NormalizedTransaction
  /** Sync generation that first stored this id. */
  gen: number
}

export interface LedgerKeys { booked: string, pending: string, items: string, meta: string }

const DAY_MS = 86_400_000
export const dayNumber = (date: string): number => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
export const dayDate = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10)

/** The day a transaction counts for: booking date for booked ones, else value/transaction date. */
export function ledgerDate (tx: NormalizedTransaction): string | null {
  return tx.status === 'booked' ? (tx.bookingDate ?? tx.valueDate ?? tx.transactionDate) : (tx.transactionDate ?? tx.valueDate ?? tx.bookingDate)
}

export function createLedger (s: Services, dbUuid: string, clientId: string, accountId: string) {
  const k: LedgerKeys = {
    booked: s.keys.ledger(dbUuid, clientId, accountId),
    pending: s.keys.pendingLedger(dbUuid, clientId, accountId),
    items: s.keys.ledgerItems(dbUuid, clientId, accountId),
    meta: s.keys.syncState(dbUuid, clientId, accountId)
  }
  const aad = `ledger:${clientId}:${accountId}`
  const ttl = s.config.tokens.refreshTtlSeconds + 30 * 86_400
  const seal = (e: LedgerEntry): string => s.box.sealJson(e, aad)
  const open = (v: string): LedgerEntry => s.box.openJson<LedgerEntry>(v, aad)

  async function existingGens (ids: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>()
    if (ids.length === 0) return out
    const values = await s.redis.hmget(k.items, ...ids)
    values.forEach((v, i) => { if (v !== null) out.set(ids[i] as string, open(v).gen) })
    return out
  }

  return {
    keys: k,

    /** Inserts or replaces entries and deletes `removed` ids, in one MULTI. */
    async apply (upserts: NormalizedTransaction[], removed: string[], gen: number): Promise<void> {
      const gens = await existingGens(upserts.map(t => t.id))
      const multi = s.redis.multi()
      for (const tx of upserts) {
        const date = ledgerDate(tx)
        if (date === null) continue
        const entry = { tx, gen: gens.get(tx.id) ?? gen }
        multi.hset(k.items, tx.id, seal(entry))
        if (tx.status === 'booked') {
          multi.zadd(k.booked, dayNumber(date), tx.id).zrem(k.pending, tx.id)
          if (tx.supersedesPendingId !== null) multi.zrem(k.pending, tx.supersedesPendingId).hdel(k.items, tx.supersedesPendingId)
        } else if (tx.status === 'pending' || tx.status === 'hold' || tx.status === 'scheduled') {
          multi.zadd(k.pending, dayNumber(date), tx.id).zrem(k.booked, tx.id)
        } else {
          multi.zrem(k.booked, tx.id).zrem(k.pending, tx.id).hdel(k.items, tx.id)
        }
      }
      for (const id of removed) multi.zrem(k.booked, id).zrem(k.pending, id).hdel(k.items, id)
      multi.expire(k.items, ttl).expire(k.booked, ttl).expire(k.pending, ttl)
      await multi.exec()
    },

    /** Drops pending entries of the window that a full snapshot did not list anymore. */
    async prunePending (seen: Set<string>, fromDate: string): Promise<void> {
      const ids = await s.redis.zrangebyscore(k.pending, dayNumber(fromDate), '+inf')
      const gone = ids.filter(id => !seen.has(id))
      if (gone.length === 0) return
      await s.redis.multi().zrem(k.pending, ...gone).hdel(k.items, ...gone).exec()
    },

    /** Booked (or pending) entries from `fromDate` on, ordered by day then id, after `cursor`. */
    async page (kind: 'booked' | 'pending', fromDate: string | null, offset: number, limit: number): Promise<{ entries: LedgerEntry[], more: boolean }> {
      const ids = await s.redis.zrangebyscore(kind === 'booked' ? k.booked : k.pending, fromDate === null ? '-inf' : dayNumber(fromDate), '+inf', 'LIMIT', offset, limit + 1)
      const more = ids.length > limit
      const wanted = ids.slice(0, limit)
      if (wanted.length === 0) return { entries: [], more: false }
      const values = await s.redis.hmget(k.items, ...wanted)
      return { entries: values.filter((v): v is string => v !== null).map(open), more }
    },

    async get (id: string): Promise<LedgerEntry | null> {
      const v = await s.redis.hget(k.items, id)
      return v === null ? null : open(v)
    },

    async meta (): Promise<Record<string, string>> {
      return await s.redis.hgetall(k.meta)
    },

    async saveMeta (fields: Record<string, string>): Promise<void> {
      await s.redis.multi().hset(k.meta, fields).expire(k.meta, ttl).exec()
    }
  }
}

export type Ledger = ReturnType<typeof createLedger>
