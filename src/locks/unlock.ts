/**
 * Ops unlock by SMS code (reliability.md §3.6). Twilio Verify makes and checks the 6-digit code;
 * we keep our own state on top, so no code is ever stored: a code lives 10 minutes (app clock),
 * serves once and only for the lock it was sent for, 5 wrong tries end it, and 10 consecutive
 * wrong codes freeze the client until ops reset it. Every failure answers the same error, so the
 * API does not tell unknown, unlocked, phoneless and wrong apart. Every step is audited with the
 * admin's identity; phones appear masked to their last 2 digits.
 */
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { maskPhone, SmsError, type SmsVerifier } from '../sms/verify.js'
import { phoneHash } from '../link/phone-verification.js'
import { lockScripts } from './scripts.js'
import { forgetLock, isLocked, lockIdOf, lockTarget, type LockTarget } from './store.js'
import { registeredPhone } from './phone.js'
import { reserveSmsSend } from './sms.js'
import { onWrongSmsCode } from './detect.js'

export const CODE_TTL_MS = 600_000
export const MAX_TRIES = 5
export const FREEZE_AFTER = 10

export interface AdminAct { subject: string, req: FastifyRequest }

async function audit (s: Services, a: AdminAct, type: string, clientId: string, dbUuid: string | null, detail: string): Promise<void> {
  await s.audit.record({ type, actor: `admin:${a.subject}`, clientId, dbUuid, ip: a.req.ip, userAgent: a.req.headers['user-agent'] ?? null, detail: `${detail}; request_id=${String(a.req.id)}` })
}

function frozenError (t: LockTarget): AppError {
  return new AppError('BSB_CLIENT_FROZEN', { detail: `client frozen after ${t.unlockFailures} consecutive wrong codes; ops must reset it` })
}

/** Sends a code to the database's registered phone when the client is locked; silent otherwise. */
export async function sendUnlockCode (s: Services, sms: SmsVerifier, clientId: string, a: AdminAct): Promise<void> {
  const t = await lockTarget(s, clientId)
  const db = t?.client.dbUuid ?? null
  const notSent = async (why: string): Promise<void> => { await audit(s, a, 'unlock_code_not_sent', clientId, db, `reason=${why}`) }
  if (t === null) return await notSent('unknown_client')
  if (t.client.frozen) { await notSent('frozen'); throw frozenError(t) }
  if (!isLocked(t)) return await notSent('not_locked')
  const dbUuid = t.client.dbUuid
  const phone = await registeredPhone(s, dbUuid)
  if (phone === null) return await notSent('no_registered_phone')
  const reserved = await reserveSmsSend(s, dbUuid, phone)
  if (!reserved.ok) {
    await notSent(`sms_limit to=${maskPhone(phone)}`)
    throw new AppError('BSB_SMS_RATE_LIMITED', { detail: 'unlock code: SMS send limit', retryAfterSeconds: reserved.retryAfterSeconds })
  }
  try {
    await sms.send(phone)
  } catch (err) {
    const kind = err instanceof SmsError ? err.kind : 'unavailable'
    await notSent(`twilio_${kind} to=${maskPhone(phone)}`)
    if (kind === 'too_many_sends') throw new AppError('BSB_SMS_RATE_LIMITED', { detail: 'Twilio: too many sends', retryAfterSeconds: CODE_TTL_MS / 1000 })
    throw new AppError('BSB_SMS_UNAVAILABLE', { detail: `unlock code send: ${(err as Error).message}`, cause: err })
  }
  const now = s.now()
  await lockScripts(s.redis).bsbCodeSent(s.keys.unlockCode(dbUuid, clientId), phoneHash(s, phone), lockIdOf(t), now, now + CODE_TTL_MS, CODE_TTL_MS)
  await audit(s, a, 'unlock_code_sent', clientId, dbUuid, `code sent to ${maskPhone(phone)}; lock=${lockIdOf(t)}`)
}

/** Unlocks with the code the customer reads out; throws BSB_UNLOCK_CODE_INVALID for every failure. */
export async function unlockWithCode (s: Services, sms: SmsVerifier, clientId: string, code: string, a: AdminAct): Promise<{ dbUuid: string }> {
  const t = await lockTarget(s, clientId)
  const invalid = async (why: string): Promise<AppError> => {
    await audit(s, a, 'unlock_failed', clientId, t?.client.dbUuid ?? null, `reason=${why}`)
    return new AppError('BSB_UNLOCK_CODE_INVALID', { detail: why })
  }
  if (t === null) throw await invalid('unknown_client')
  if (t.client.frozen) { await audit(s, a, 'unlock_failed', clientId, t.client.dbUuid, 'reason=frozen'); throw frozenError(t) }
  const dbUuid = t.client.dbUuid
  const phone = await registeredPhone(s, dbUuid)
  if (phone === null) throw await invalid('no_registered_phone')
  const hash = phoneHash(s, phone)
  const codeKey = s.keys.unlockCode(dbUuid, clientId)
  const sc = lockScripts(s.redis)
  const tryNo = await sc.bsbCodeTry(codeKey, hash, s.now(), MAX_TRIES)
  if (tryNo === 0) throw await invalid('no_live_code')
  if (tryNo < 0) throw await invalid('code_ended')
  let approved: boolean
  try {
    approved = (await sms.check(phone, code.trim())).approved
  } catch (err) {
    if (err instanceof SmsError && err.kind !== 'unavailable' && err.kind !== 'blocked') {
      await s.redis.del(codeKey)
      throw await invalid(`twilio_${err.kind}`)
    }
    throw new AppError('BSB_SMS_UNAVAILABLE', { detail: `unlock code check: ${(err as Error).message}`, cause: err })
  }
  const clientKey = s.keys.client(dbUuid, clientId)
  if (approved) {
    const r = await sc.bsbUnlock(clientKey, codeKey, s.keys.dbLock(dbUuid), hash, s.now())
    if (r === -1) throw frozenError(t)
    if (r === 0) throw await invalid('lock_changed_or_code_used')
    await forgetLock(s, dbUuid, clientId)
    const reason = t.client.lockReason ?? t.dbLock.reason ?? 'unknown'
    await audit(s, a, 'lock_cleared', clientId, dbUuid, `unlocked by SMS code sent to ${maskPhone(phone)}; lock=${lockIdOf(t)}; lock_reason=${reason}`)
    return { dbUuid }
  }
  const [failures, frozen] = await sc.bsbCodeFailed(clientKey, codeKey, FREEZE_AFTER, tryNo, MAX_TRIES)
  await audit(s, a, 'unlock_code_failed', clientId, dbUuid, `wrong code, try ${tryNo}/${MAX_TRIES}, ${failures} consecutive failures`)
  if (frozen === 1) await audit(s, a, 'client_frozen', clientId, dbUuid, `${failures} consecutive wrong codes; ops reset required`)
  await onWrongSmsCode(s, a.req, dbUuid, clientId, 'ops unlock')
  throw new AppError('BSB_UNLOCK_CODE_INVALID', { detail: `wrong code (try ${tryNo})` })
}
