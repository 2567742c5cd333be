/**
 * Phone verification on a database's first link: our own limits on top of Twilio Verify's
 * (defence in depth, in Redis, on the app clock): a code lives 10 minutes, 5 wrong tries end it,
 * at most 5 sends per phone per 10 minutes, 30 s between two sends, 10 sends per database a day.
 * Phones are stored sealed and keyed by HMAC; neither a phone nor a code is ever logged.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { maskPhone, SmsError, type SmsVerifier } from '../sms/verify.js'

export const SMS_RULES = {
  codeTtlMs: 600_000,
  maxTries: 5,
  perPhone: 5,
  perPhoneWindowMs: 600_000,
  minGapMs: 30_000,
  perDb: 10,
  perDbWindowMs: 86_400_000
} as const

const E164 = /^\+[1-9]\d{6,14}$/

/** `+32 470/12.34.56`, `0032…` → `+32470123456`; null when it cannot be E.164. */
export function normalizePhone (raw: string): string | null {
  let p = raw.trim().replace(/[\s().\-/]/g, '')
  if (p.startsWith('00')) p = `+${p.slice(2)}`
  return E164.test(p) ? p : null
}

export function phoneHash (s: Services, phone: string): string {
  const key = createHmac('sha256', (s.config.encryptionKeys[0] as { key: Buffer }).key).update('bsb:phone-hash').digest()
  return createHmac('sha256', key).update(phone).digest('hex').slice(0, 32)
}

/** `SMS_SENDS_PER_PHONE` / `SMS_SENDS_PER_DB` when the configuration has them (shared with ops unlock), else the defaults. */
function limitsOf (s: Services): { perPhone: number, perDb: number } {
  const configured = (s.config as { smsLimits?: { perPhone: number, perDb: number } }).smsLimits
  return configured ?? { perPhone: SMS_RULES.perPhone, perDb: SMS_RULES.perDb }
}

export type SendCheck = { ok: true } | { ok: false, reason: 'wait', seconds: number } | { ok: false, reason: 'limit' }

/** Counts a send against the phone and database windows, or says why not. */
/**
 * Checks and takes a send in one script (both windows share the {sms} slot), so concurrent sends
 * cannot pass the limits between a check and its write: 1 taken, 0 over a limit, -n wait n ms.
 */
const RESERVE_SEND = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
if last and now - tonumber(last) < tonumber(ARGV[4]) then return -(tonumber(ARGV[4]) - (now - tonumber(last))) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5]) or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
`

export async function reserveSend (s: Services, dbUuid: string, phone: string): Promise<SendCheck> {
  const now = s.now()
  const limits = limitsOf(s)
  const member = `${now}:${randomBytes(4).toString('hex')}`
  const taken = Number(await s.redis.eval(RESERVE_SEND, 2, s.keys.smsSends(`p:${phoneHash(s, phone)}`), s.keys.smsSends(`d:${dbUuid}`),
    String(now), String(SMS_RULES.perPhoneWindowMs), String(SMS_RULES.perDbWindowMs), String(SMS_RULES.minGapMs), String(limits.perPhone), String(limits.perDb), member))
  if (taken < 0) return { ok: false, reason: 'wait', seconds: Math.ceil(-taken / 1000) }
  if (taken === 0) return { ok: false, reason: 'limit' }
  return { ok: true }
}

const codeKey = (s: Services, dbUuid: string): string => s.keys.smsCode(`db:${dbUuid}`)

/** Twilio resends the same pending code, so a resend to the same phone keeps the code's expiry. */
export async function codeSent (s: Services, dbUuid: string, phone: string): Promise<void> {
  const key = codeKey(s, dbUuid)
  const hash = phoneHash(s, phone)
  const rec = await s.redis.hgetall(key)
  if (rec.phone === hash && Number(rec.expires_at) > s.now()) return
  await s.redis.multi().del(key).hset(key, { phone: hash, expires_at: String(s.now() + SMS_RULES.codeTtlMs), tries: '0' }).pexpire(key, SMS_RULES.codeTtlMs).exec()
}

export type CheckOutcome = { outcome: 'approved' | 'ended' | 'expired' } | { outcome: 'wrong', left: number }

export async function checkCode (s: Services, sms: SmsVerifier, dbUuid: string, phone: string, code: string): Promise<CheckOutcome> {
  const key = codeKey(s, dbUuid)
  const rec = await s.redis.hgetall(key)
  if (rec.phone !== phoneHash(s, phone) || !(Number(rec.expires_at) > s.now())) {
    await s.redis.del(key)
    return { outcome: 'expired' }
  }
  // Count the try before asking Twilio, so parallel guesses cannot exceed the limit.
  const tries = await s.redis.hincrby(key, 'tries', 1)
  if (tries > SMS_RULES.maxTries) { await s.redis.del(key); return { outcome: 'ended' } }
  let approved: boolean
  try {
    approved = (await sms.check(phone, code.trim())).approved
  } catch (err) {
    if (err instanceof SmsError && (err.kind === 'expired' || err.kind === 'invalid_number')) { await s.redis.del(key); return { outcome: 'expired' } }
    if (err instanceof SmsError && err.kind === 'too_many_checks') { await s.redis.del(key); return { outcome: 'ended' } }
    throw new AppError('BSB_SMS_UNAVAILABLE', { detail: `sms check: ${(err as Error).message}`, cause: err })
  }
  if (approved) { await s.redis.del(key); return { outcome: 'approved' } }
  if (tries >= SMS_RULES.maxTries) { await s.redis.del(key); return { outcome: 'ended' } }
  return { outcome: 'wrong', left: SMS_RULES.maxTries - tries }
}

export async function hasVerifiedPhone (s: Services, dbUuid: string): Promise<boolean> {
  return await s.redis.hget(s.keys.phone(dbUuid), 'verified_at') !== null
}

export async function markVerified (s: Services, dbUuid: string, phone: string, who: { ip: string, userAgent: string | null }): Promise<void> {
  await s.redis.hset(s.keys.phone(dbUuid), { phone: s.box.seal(phone, `phone:${dbUuid}`), verified_at: new Date(s.now()).toISOString() })
  await s.audit.record({ type: 'phone_verified', actor: 'user', dbUuid, ip: who.ip, userAgent: who.userAgent, detail: `phone ${maskPhone(phone)} verified by SMS code` })
}
