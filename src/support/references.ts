/**
 * Error references: unguessable ids that support can look up. The record behind each reference
 * lives in Redis for 90 days; it is also in the log line of the failure.
 */
import { randomBytes } from 'node:crypto'
import type { RedisClient } from '../store/redis.js'
import type { Keys } from '../store/keys.js'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
export const ERROR_RECORD_TTL_SECONDS = 90 * 86_400
/** Refusals a flood can produce by the thousand (rate limits) keep their record one day, so a flood cannot fill Redis for 90 days. */
export const FLOOD_RECORD_TTL_SECONDS = 86_400
const FLOOD_CODES = new Set(['BSB_RATE_LIMITED', 'BSB_SMS_RATE_LIMITED'])

export function recordTtlSeconds (code: string): number {
  return FLOOD_CODES.has(code) ? FLOOD_RECORD_TTL_SECONDS : ERROR_RECORD_TTL_SECONDS
}
const CLIENT_ERRORS_KEPT = 500

/** `ref_` + 20 Crockford base32 characters (100 random bits). */
export function newReference (): string {
  const bytes = randomBytes(20)
  let out = 'ref_'
  for (let i = 0; i < 20; i++) out += ALPHABET[(bytes[i] as number) & 31]
  return out
}

export const REFERENCE_PATTERN = /^ref_[0-9a-hjkmnp-tv-z]{20}$/

export interface ErrorRecord {
  reference: string
  time: string
  code: string
  odoo_code: number
  surface: 'proxy' | 'admin' | 'link' | 'webhook'
  endpoint: string
  client_id: string | null
  db_uuid: string | null
  provider: string | null
  provider_code: string | null
  provider_request_id: string | null
  user_message: string
  detail: string
  next_step: string
  request_id: string
}

export function createErrorRecords (redis: RedisClient, keys: Keys) {
  return {
    async save (record: ErrorRecord): Promise<void> {
      const key = keys.error(record.reference)
      const fields: Record<string, string> = {}
      for (const [k, v] of Object.entries(record)) if (v !== null) fields[k] = String(v)
      const multi = redis.multi().hset(key, fields).expire(key, recordTtlSeconds(record.code))
      await multi.exec()
      if (record.client_id !== null) {
        const idx = keys.clientErrors(record.client_id)
        await redis.multi()
          .zadd(idx, Date.parse(record.time), record.reference)
          .zremrangebyrank(idx, 0, -CLIENT_ERRORS_KEPT - 1)
          .expire(idx, ERROR_RECORD_TTL_SECONDS)
          .exec()
      }
    },
    async get (reference: string): Promise<ErrorRecord | null> {
      if (!REFERENCE_PATTERN.test(reference)) return null
      const h = await redis.hgetall(keys.error(reference))
      if (Object.keys(h).length === 0) return null
      return {
        reference: h.reference ?? reference,
        time: h.time ?? '',
        code: h.code ?? '',
        odoo_code: Number(h.odoo_code ?? 0),
        surface: (h.surface ?? 'proxy') as ErrorRecord['surface'],
        endpoint: h.endpoint ?? '',
        client_id: h.client_id ?? null,
        db_uuid: h.db_uuid ?? null,
        provider: h.provider ?? null,
        provider_code: h.provider_code ?? null,
        provider_request_id: h.provider_request_id ?? null,
        user_message: h.user_message ?? '',
        detail: h.detail ?? '',
        next_step: h.next_step ?? '',
        request_id: h.request_id ?? ''
      }
    },
    async listForClient (clientId: string, limit = 50): Promise<ErrorRecord[]> {
      const refs = await redis.zrevrange(keys.clientErrors(clientId), 0, limit - 1)
      const out: ErrorRecord[] = []
      for (const ref of refs) {
        const rec = await this.get(ref)
        if (rec !== null) out.push(rec)
      }
      return out
    }
  }
}

export type ErrorRecords = ReturnType<typeof createErrorRecords>
