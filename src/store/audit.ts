/**
 * The audit trail: security events and admin actions, in Redis streams bounded by size and age.
 * Never holds secrets: phone numbers are masked, codes and tokens are never written.
 */
import type { RedisClient } from './redis.js'
import type { Keys } from './keys.js'

export const AUDIT_MAX_AGE_MS = 180 * 86_400_000
const GLOBAL_MAXLEN = 100_000
const CLIENT_MAXLEN = 1_000

export interface AuditEvent {
  type: string
  actor: string
  clientId?: string | null
  dbUuid?: string | null
  ip?: string | null
  userAgent?: string | null
  detail?: string
  reference?: string | null
}

export interface AuditEntry extends AuditEvent { id: string, time: string }

function fieldsOf (e: AuditEvent, time: string): string[] {
  const out = ['time', time, 'type', e.type, 'actor', e.actor]
  if (e.clientId) out.push('client_id', e.clientId)
  if (e.dbUuid) out.push('db_uuid', e.dbUuid)
  if (e.ip) out.push('ip', e.ip)
  if (e.userAgent) out.push('user_agent', e.userAgent.slice(0, 200))
  if (e.detail) out.push('detail', e.detail.slice(0, 500))
  if (e.reference) out.push('reference', e.reference)
  return out
}

function parseEntry ([id, flat]: [string, string[]]): AuditEntry {
  const h: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] as string] = flat[i + 1] as string
  return { id, time: h.time ?? '', type: h.type ?? '', actor: h.actor ?? '', clientId: h.client_id ?? null, dbUuid: h.db_uuid ?? null, ip: h.ip ?? null, userAgent: h.user_agent ?? null, detail: h.detail, reference: h.reference ?? null }
}

export function createAudit (redis: RedisClient, keys: Keys, now: () => number = Date.now) {
  return {
    async record (event: AuditEvent): Promise<void> {
      const t = now()
      const fields = fieldsOf(event, new Date(t).toISOString())
      const minId = String(t - AUDIT_MAX_AGE_MS)
      await redis.xadd(keys.audit(), 'MAXLEN', '~', String(GLOBAL_MAXLEN), '*', ...fields)
      await redis.xtrim(keys.audit(), 'MINID', '~', minId)
      if (event.clientId) {
        const k = keys.clientAudit(event.clientId)
        await redis.multi()
          .xadd(k, 'MAXLEN', '~', String(CLIENT_MAXLEN), '*', ...fields)
          .pexpire(k, AUDIT_MAX_AGE_MS)
          .exec()
      }
    },
    async forClient (clientId: string, count = 50): Promise<AuditEntry[]> {
      const rows = await redis.xrevrange(keys.clientAudit(clientId), '+', '-', 'COUNT', count)
      return rows.map(parseEntry)
    },
    async recent (count = 100): Promise<AuditEntry[]> {
      const rows = await redis.xrevrange(keys.audit(), '+', '-', 'COUNT', count)
      return rows.map(parseEntry)
    }
  }
}

export type Audit = ReturnType<typeof createAudit>
