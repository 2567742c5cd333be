/** Institution fixtures for the catalogue tests. */
import type { Institution, ProviderId } from '../../providers/types.js'

export function inst (provider: ProviderId, id: string, name: string, country: string, bic: string | null = null, beta = false): Institution {
  return { id, provider, name, country, bic, logoUrl: null, beta, historyDays: 365, refreshPolicy: 'automatic', mfa: false, consentDays: 90 }
}
