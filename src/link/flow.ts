/** Which step a session is at: subscription first, then phone (first link only), then an existing account or a bank, consent, result. */
import type { Services } from '../services.js'
import { hasVerifiedPhone } from './phone-verification.js'
import { saveSession, sessionPath, type LinkSession } from './session.js'
import { needsReactivation } from './reactivation.js'

export type Step = 'reactivate' | 'phone' | 'existing' | 'search' | 'consent' | 'done'

export async function nextStep (s: Services, session: LinkSession): Promise<Step> {
  await s.subscriptions.assertEntitled(session.dbUuid)
  // A locked client reactivates before anything else, even a result computed at start (mode `none`).
  if (await needsReactivation(s, session)) return 'reactivate'
  if (session.result !== null) return 'done'
  if (!session.phoneVerified) {
    if (!await hasVerifiedPhone(s, session.dbUuid)) return 'phone'
    session.phoneVerified = true
    await saveSession(s, session)
  }
  if (session.choice !== null) return 'consent'
  return (session.existing?.length ?? 0) > 0 ? 'existing' : 'search'
}

export async function stepPath (s: Services, session: LinkSession): Promise<string> {
  return sessionPath(session, await nextStep(s, session))
}
