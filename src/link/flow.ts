/** Which step a session is at: subscription first, then phone (first link only), then bank, consent, result. */
import type { Services } from '../services.js'
import { hasVerifiedPhone } from './phone-verification.js'
import { saveSession, sessionPath, type LinkSession } from './session.js'

export type Step = 'phone' | 'search' | 'consent' | 'done'

export async function nextStep (s: Services, session: LinkSession): Promise<Step> {
  await s.subscriptions.assertEntitled(session.dbUuid)
  if (session.result !== null) return 'done'
  if (!session.phoneVerified) {
    if (!await hasVerifiedPhone(s, session.dbUuid)) return 'phone'
    session.phoneVerified = true
    await saveSession(s, session)
  }
  return session.choice !== null ? 'consent' : 'search'
}

export async function stepPath (s: Services, session: LinkSession): Promise<string> {
  return sessionPath(session, await nextStep(s, session))
}
