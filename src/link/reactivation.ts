/**
 * Reactivation in the pop-up: a session opened for a client (reconnect and the other client
 * modes) whose client or database is locked, or whose client is frozen, must first confirm the
 * SMS code sent to the database's registered phone (src/locks/unlock.ts, the same machinery ops
 * use). Link mode has no client and never reactivates here.
 */
import type { Services } from '../services.js'
import { isLocked, lockTarget, type LockTarget } from '../locks/store.js'
import type { LinkSession } from './session.js'
import { currentLinkResult } from './finish.js'

/** The session client's lock, or null when there is nothing to reactivate. */
export async function lockedTargetOf (s: Services, session: LinkSession): Promise<LockTarget | null> {
  if (session.clientId === null) return null
  const t = await lockTarget(s, session.clientId)
  return t !== null && t.client.dbUuid === session.dbUuid && (isLocked(t) || t.client.frozen) ? t : null
}

export async function needsReactivation (s: Services, session: LinkSession): Promise<boolean> {
  return await lockedTargetOf(s, session) !== null
}

/**
 * After the unlock. The lock was ours, not the bank's: the provider connection is intact, so a
 * `reconnect` ends at once with `success` carrying the link as it is (Odoo then marks the link
 * connected and fetches transactions; a consent the bank really ended comes back as the usual
 * updateCredentials redirect). Other modes go on with their normal flow (consent for
 * updateCredentials and account refreshes; `none` already has its result).
 */
export async function afterReactivation (s: Services, session: LinkSession): Promise<void> {
  session.reactivated = true
  if (session.mode === 'reconnect' && session.choice !== null && session.result === null) {
    session.result = await currentLinkResult(s, session)
  }
}
