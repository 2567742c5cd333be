/**
 * Unlock by SMS code (reliability.md §3.6), for ops (admin API, CLI, console) and for the user
 * reactivating in the link pages. Twilio Verify makes and checks the 6-digit code; we keep our
 * own state on top, so no code is ever stored: a code lives 10 minutes (app clock), serves once
 * and only for the lock it was sent for, 5 wrong tries end it, and 10 consecutive wrong codes
 * freeze the client until ops reset it. Ops answers are uniform (the admin wrappers below throw
 * one error for every failure); the link pages, whose session already proved the client's access
 * token, get the outcome to tell the user what to do. Every step is audited with who acted;
 * phones appear masked to their last 2 digits.
 */
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { maskPhone, SmsError, type SmsVerifier } from '../sms/verify.js'
import { phoneHash } from '../link/phone-verification.js'
import { lockScripts } from './scripts.js'
import { forgetLock, isLocked, lockIdOf, lockTarget, type LockTarget } from './store.js'
import { registeredPhone } from './phone.js'
import { reserveSmsSend, type Reservation } from './sms.js'
import { onWrongSmsCode } from './detect.js'

export const CODE_TTL_MS = 600_000
export const MAX_TRIES = 5
export const FREEZE_AFTER = 10

/** An ops admin, named by the JWT `sub`. */
export interface AdminAct { subject: string, req: FastifyRequest }
/** The end user in a link session whose access token matched the client: the request's IP and agent are theirs. */
export interface UserAct { user: 'link-session', req: FastifyRequest }
export type UnlockAct = AdminAct | UserAct

const actorOf = (a: UnlockAct): string => 'subject' in a ? `admin:${a.subject}` : `user:${a.user}`
const sourceOf = (a: UnlockAct): string => 'subject' in a ? 'ops unlock' : 'link reactivation'

async function audit (s: Services, a: UnlockAct, type: string, clientId: string, dbUuid: string | null, detail: string): Promise<void> {
  await s.audit.record({ type, actor: actorOf(a), clientId, dbUuid, ip: a.req.ip, userAgent: a.req.headers['user-agent'] ?? null, detail: `${detail}; request_id=${String(a.req.id)}` })
}

function frozenError (failures: number): AppError {
  return new AppError('BSB_CLIENT_FROZEN', { detail: `client frozen after ${failures} consecutive wrong codes; ops must reset it` })
}

type Limit = Extract<Reservation, { ok: false }>['limit'] | 'twilio'

export type SendResult =
  | { status: 'sent', maskedPhone: string }
  | { status: 'not_sent', reason: 'unknown_client' | 'not_locked' | 'no_registered_phone' }
  | { status: 'limited', limit: Limit, retryAfterSeconds: number }
  | { status: 'frozen', failures: number }

/** Sends a code to the database's registered phone when the client is locked (or its database is) and not frozen. */
export async function requestUnlockCode (s: Services, sms: SmsVerifier, clientId: string, a: UnlockAct): Promise<SendResult> {
  const t = await lockTarget(s, clientId)
  const notSent = async (why: string): Promise<void> => { await audit(s, a, 'unlock_code_not_sent', clientId, t?.client.dbUuid ?? null, `reason=${why}`) }
  if (t === null) { await notSent('unknown_client'); return { status: 'not_sent', reason: 'unknown_client' } }
  if (t.client.frozen) { await notSent('frozen'); return { status: 'frozen', failures: t.unlockFailures } }
  if (!isLocked(t)) { await notSent('not_locked'); return { status: 'not_sent', reason: 'not_locked' } }
  const dbUuid = t.client.dbUuid
  const phone = await registeredPhone(s, dbUuid)
  if (phone === null) { await notSent('no_registered_phone'); return { status: 'not_sent', reason: 'no_registered_phone' } }
  const reserved = await reserveSmsSend(s, dbUuid, phone)
  if (!reserved.ok) {
    await notSent(`sms_limit_${reserved.limit} to=${maskPhone(phone)}`)
    return { status: 'limited', limit: reserved.limit, retryAfterSeconds: reserved.retryAfterSeconds }
  }
  try {
    await sms.send(phone)
  } catch (err) {
    const kind = err instanceof SmsError ? err.kind : 'unavailable'
    await notSent(`twilio_${kind} to=${maskPhone(phone)}`)
    if (kind === 'too_many_sends') return { status: 'limited', limit: 'twilio', retryAfterSeconds: CODE_TTL_MS / 1000 }
    throw new AppError('BSB_SMS_UNAVAILABLE', { detail: `unlock code send: ${(err as Error).message}`, cause: err })
  }
  const now = s.now()
  await lockScripts(s.redis).bsbCodeSent(s.keys.unlockCode(dbUuid, clientId), phoneHash(s, phone), lockIdOf(t), now, now + CODE_TTL_MS, CODE_TTL_MS)
  await audit(s, a, 'unlock_code_sent', clientId, dbUuid, `code sent to ${maskPhone(phone)}; lock=${lockIdOf(t)}`)
  return { status: 'sent', maskedPhone: maskPhone(phone) }
}

/** True while a code sent for the client's current lock can still be tried. */
export async function hasLiveCode (s: Services, t: LockTarget): Promise<boolean> {
  const [lock, expiresAt, tries] = await s.redis.hmget(s.keys.unlockCode(t.client.dbUuid, t.client.clientId), 'lock', 'expires_at', 'tries')
  return lock === lockIdOf(t) && Number(expiresAt) > s.now() && Number(tries) < MAX_TRIES
}

export type CheckResult =
  | { status: 'unlocked', dbUuid: string, lifted: Array<'client' | 'database'> }
  | { status: 'wrong', tryNo: number, triesLeft: number, failures: number, frozen: boolean }
  /** No code to try: none sent, expired, used, ended, sent for an older lock, or the client is unknown or has no phone. */
  | { status: 'invalid', reason: string }
  | { status: 'frozen', failures: number }

/**
 * Checks a code and, when Twilio approves it, lifts the lock it was sent for: the client's own
 * lock and its database's lock (the registered phone belongs to the database).
 */
export async function checkUnlockCode (s: Services, sms: SmsVerifier, clientId: string, code: string, a: UnlockAct): Promise<CheckResult> {
  const t = await lockTarget(s, clientId)
  const invalid = async (reason: string): Promise<CheckResult> => {
    await audit(s, a, 'unlock_failed', clientId, t?.client.dbUuid ?? null, `reason=${reason}`)
    return { status: 'invalid', reason }
  }
  if (t === null) return await invalid('unknown_client')
  if (t.client.frozen) { await audit(s, a, 'unlock_failed', clientId, t.client.dbUuid, 'reason=frozen'); return { status: 'frozen', failures: t.unlockFailures } }
  const dbUuid = t.client.dbUuid
  const phone = await registeredPhone(s, dbUuid)
  if (phone === null) return await invalid('no_registered_phone')
  const hash = phoneHash(s, phone)
  const codeKey = s.keys.unlockCode(dbUuid, clientId)
  const sc = lockScripts(s.redis)
  const tryNo = await sc.bsbCodeTry(codeKey, hash, s.now(), MAX_TRIES)
  if (tryNo === 0) return await invalid('no_live_code')
  if (tryNo < 0) return await invalid('code_ended')
  let approved: boolean
  try {
    approved = (await sms.check(phone, code.trim())).approved
  } catch (err) {
    if (err instanceof SmsError && err.kind !== 'unavailable' && err.kind !== 'blocked') {
      await s.redis.del(codeKey)
      return await invalid(`twilio_${err.kind}`)
    }
    throw new AppError('BSB_SMS_UNAVAILABLE', { detail: `unlock code check: ${(err as Error).message}`, cause: err })
  }
  const clientKey = s.keys.client(dbUuid, clientId)
  if (approved) {
    const r = await sc.bsbUnlock(clientKey, codeKey, s.keys.dbLock(dbUuid), hash, s.now())
    if (r === -1) return { status: 'frozen', failures: t.unlockFailures }
    if (r === 0) return await invalid('lock_changed_or_code_used')
    await forgetLock(s, dbUuid, clientId)
    const lifted: Array<'client' | 'database'> = []
    if (t.client.locked) lifted.push('client')
    if (t.dbLock.locked === '1') lifted.push('database')
    const reason = t.client.lockReason ?? t.dbLock.reason ?? 'unknown'
    await audit(s, a, 'lock_cleared', clientId, dbUuid, `unlocked by SMS code sent to ${maskPhone(phone)}; lifted=${lifted.join('+')}; lock=${lockIdOf(t)}; lock_reason=${reason}`)
    return { status: 'unlocked', dbUuid, lifted }
  }
  const [failures, frozen] = await sc.bsbCodeFailed(clientKey, codeKey, FREEZE_AFTER, tryNo, MAX_TRIES)
  await audit(s, a, 'unlock_code_failed', clientId, dbUuid, `wrong code, try ${tryNo}/${MAX_TRIES}, ${failures} consecutive failures`)
  if (frozen === 1) await audit(s, a, 'client_frozen', clientId, dbUuid, `${failures} consecutive wrong codes; ops reset required`)
  await onWrongSmsCode(s, a.req, dbUuid, clientId, sourceOf(a))
  return { status: 'wrong', tryNo, triesLeft: Math.max(0, MAX_TRIES - tryNo), failures, frozen: frozen === 1 }
}

/** Ops: sends a code when the client is locked and has a phone, silently nothing otherwise; a freeze or a send limit is an error. */
export async function sendUnlockCode (s: Services, sms: SmsVerifier, clientId: string, a: AdminAct): Promise<void> {
  const r = await requestUnlockCode(s, sms, clientId, a)
  if (r.status === 'frozen') throw frozenError(r.failures)
  if (r.status === 'limited') {
    throw new AppError('BSB_SMS_RATE_LIMITED', { detail: r.limit === 'twilio' ? 'Twilio: too many sends' : `unlock code: SMS send limit (${r.limit})`, retryAfterSeconds: r.retryAfterSeconds })
  }
}

/** Ops: unlocks with the code the customer reads out; throws BSB_UNLOCK_CODE_INVALID for every failure. */
export async function unlockWithCode (s: Services, sms: SmsVerifier, clientId: string, code: string, a: AdminAct): Promise<{ dbUuid: string }> {
  // A mistyped code (letters, spaces) never reaches Twilio, which would answer "invalid parameter" and end the live code; nor does it count as a try.
  if (!/^[0-9]{4,10}$/.test(code)) throw new AppError('BSB_UNLOCK_CODE_INVALID', { detail: 'not a code: digits only' })
  const r = await checkUnlockCode(s, sms, clientId, code, a)
  if (r.status === 'unlocked') return { dbUuid: r.dbUuid }
  if (r.status === 'frozen') throw frozenError(r.failures)
  throw new AppError('BSB_UNLOCK_CODE_INVALID', { detail: r.status === 'wrong' ? `wrong code (try ${r.tryNo})` : r.reason })
}
