/**
 * Ops actions on a client shared by the admin API and the console, so both audit with the admin's
 * identity (JWT `sub`) the same way: lock by hand, reset a freeze, and the lock state they answer.
 */
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { maskPhone } from '../sms/verify.js'
import { isLocked, lockClient, lockDatabase, lockTarget, resetFreeze, type LockTarget } from '../locks/store.js'
import type { AdminAct } from '../locks/unlock.js'
import { registeredPhone } from '../locks/phone.js'

export const UNLOCK_CODE_SENT = 'If this client is locked and its database has a registered phone, a code was sent to that phone. It is valid for 10 minutes.'

export type LockScope = 'client' | 'database'

export interface LockState {
  client_id: string
  db_uuid: string
  locked: boolean
  database_locked: boolean
  frozen: boolean
  lock_reason: string | null
  phone: string | null
}

/** The admin identity of a request the admin hook (or the console session) authenticated. */
export function adminAct (req: FastifyRequest): AdminAct {
  if (req.admin === null) throw new AppError('BSB_ADMIN_UNAUTHORIZED', { detail: 'no admin identity' })
  return { subject: req.admin.subject, req }
}

async function targetOf (s: Services, clientId: string): Promise<LockTarget> {
  const t = await lockTarget(s, clientId)
  if (t === null) throw new AppError('BSB_ADMIN_NOT_FOUND', { detail: 'unknown client id' })
  return t
}

export async function lockStateOf (s: Services, clientId: string): Promise<LockState> {
  const t = await targetOf(s, clientId)
  const phone = await registeredPhone(s, t.client.dbUuid)
  return { client_id: clientId, db_uuid: t.client.dbUuid, locked: isLocked(t), database_locked: t.dbLock.locked === '1', frozen: t.client.frozen, lock_reason: t.client.lockReason ?? t.dbLock.reason ?? null, phone: phone === null ? null : maskPhone(phone) }
}

/** Locks a client, or every client of its database, by hand; a no-op when already locked. */
export async function lockByOps (s: Services, clientId: string, reasonText: string, scope: LockScope, a: AdminAct): Promise<void> {
  const t = await targetOf(s, clientId)
  const by = { actor: `admin:${a.subject}`, ip: a.req.ip, userAgent: a.req.headers['user-agent'] ?? null, context: `request_id=${String(a.req.id)}` }
  const reason = `by ops: ${reasonText}`
  if (scope === 'database') await lockDatabase(s, t.client.dbUuid, reason, by, t.client.clientId)
  else await lockClient(s, t.client.dbUuid, t.client.clientId, reason, by)
}

/** Clears a freeze (after checking the customer's identity); the lock stays until unlocked by code. */
export async function resetFreezeByOps (s: Services, clientId: string, a: AdminAct): Promise<void> {
  const t = await targetOf(s, clientId)
  await resetFreeze(s, t)
  await s.audit.record({ type: 'freeze_reset', actor: `admin:${a.subject}`, clientId: t.client.clientId, dbUuid: t.client.dbUuid, ip: a.req.ip, userAgent: a.req.headers['user-agent'] ?? null, detail: `was frozen=${String(t.client.frozen)} after ${t.unlockFailures} failures; request_id=${String(a.req.id)}` })
}
