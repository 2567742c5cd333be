/** What the console's routes share. */
import type { Services } from '../services.js'
import type { SmsVerifier } from '../sms/verify.js'
import type { ConsoleSession } from './session.js'

export interface ConsoleContext {
  s: Services
  session: ConsoleSession
  sms: SmsVerifier
}
