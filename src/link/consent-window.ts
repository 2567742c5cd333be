/**
 * Providers whose consent pages refuse to be framed (`LINK_WINDOW_PROVIDERS`): the iframe cannot
 * show them, so the consent form posts into a separate window named here, and our callback page
 * in that window tells the iframe (same origin, `postMessage`) that the bank has answered.
 */
import type { Services } from '../services.js'

export const CONSENT_WINDOW_NAME = 'bsb-consent-window'

export function consentOpensInWindow (s: Services, provider: string): boolean {
  return (s.config.linkWindowProviders as readonly string[]).includes(provider)
}
