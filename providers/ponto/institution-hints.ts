/**
 * What Ponto's financial-institution resource does not say (history depth, refresh policy, an
 * extra code at consent). Real banks get Ponto's general behaviour; the shared sandbox banks are
 * recognised by their kit BIC so the broker shows the same policy for them under every provider.
 */
import { SANDBOX_BANKS, sandboxBic } from '../sandbox-kit/banks.js'
import type { RefreshPolicy } from '../types.js'

export const PONTO_COUNTRIES = ['BE', 'NL', 'FR', 'DE', 'LU'] as const

/** Ponto accounts carry `authorizationExpirationExpectedAt`; the official fixture shows 90 days. */
export const PONTO_CONSENT_DAYS = 90

export interface InstitutionHints {
  historyDays: number | null
  refreshPolicy: RefreshPolicy
  mfa: boolean
  consentDays: number | null
}

const DEFAULT_HINTS: InstitutionHints = { historyDays: null, refreshPolicy: 'automatic', mfa: false, consentDays: PONTO_CONSENT_DAYS }

const byBic = new Map<string, InstitutionHints>()
for (const bank of SANDBOX_BANKS) {
  for (const country of PONTO_COUNTRIES) {
    byBic.set(sandboxBic(bank.behaviour, country), {
      historyDays: bank.historyDays,
      refreshPolicy: bank.manualOnly ? 'manual_only' : bank.oncePerDay ? 'once_per_day' : 'automatic',
      mfa: bank.mfa,
      consentDays: PONTO_CONSENT_DAYS
    })
  }
}

export function institutionHints (bic: string | null): InstitutionHints {
  return (bic !== null ? byBic.get(bic.toUpperCase()) : undefined) ?? DEFAULT_HINTS
}
