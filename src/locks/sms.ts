/**
 * SMS for unlock codes (ops, and the user's reactivation in the link pages): Twilio Verify through the shared port (its local sandbox in sandbox mode,
 * whose outbox shows the code), with our own send limits on top, counted in the same windows as
 * the link flow's phone verification (per phone HMAC, per database), atomically in Lua.
 */
import { randomBytes } from 'node:crypto'
import type { Services } from '../services.js'
import { phoneHash } from '../link/phone-verification.js'
import { lockScripts } from './scripts.js'

export const PHONE_WINDOW_MS = 600_000
export const DB_WINDOW_MS = 86_400_000
export const MIN_GAP_MS = 30_000

/** `gap`: 30 s since the last send to this phone; `phone` / `database`: the window's count is reached. */
export type Reservation = { ok: true } | { ok: false, limit: 'gap' | 'phone' | 'database', retryAfterSeconds: number }

/** Counts one send against the phone (with the 30 s gap) and the database, or says how long to wait. */
export async function reserveSmsSend (s: Services, dbUuid: string, phone: string): Promise<Reservation> {
  const sc = lockScripts(s.redis)
  const now = s.now()
  const member = `${now}:${randomBytes(4).toString('hex')}`
  const phoneKey = s.keys.smsSends(`p:${phoneHash(s, phone)}`)
  const p = await sc.bsbReserve(phoneKey, now, PHONE_WINDOW_MS, s.config.smsLimits.perPhone, MIN_GAP_MS, member)
  if (p < 0) return { ok: false, limit: 'gap', retryAfterSeconds: Math.ceil(-p / 1000) }
  if (p === 0) return { ok: false, limit: 'phone', retryAfterSeconds: PHONE_WINDOW_MS / 1000 }
  const d = await sc.bsbReserve(s.keys.smsSends(`d:${dbUuid}`), now, DB_WINDOW_MS, s.config.smsLimits.perDb, 0, member)
  if (d === 1) return { ok: true }
  await s.redis.zrem(phoneKey, member)
  return { ok: false, limit: 'database', retryAfterSeconds: 3600 }
}
