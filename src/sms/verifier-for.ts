/** The SMS port the app uses: Twilio Verify, pointed at the local sandbox in sandbox mode. */
import type { Services } from '../services.js'
import { createSmsVerifier, type SmsVerifier } from './verify.js'

export function smsVerifierFor (s: Services): SmsVerifier {
  const { twilio, providerMode, publicUrl } = s.config
  return createSmsVerifier({
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    serviceSid: twilio.serviceSid,
    sandboxBaseUrl: providerMode === 'sandbox' ? `${publicUrl}/sandbox/twilio` : undefined,
    logger: s.log ?? undefined
  })
}
