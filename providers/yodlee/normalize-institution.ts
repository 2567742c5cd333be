/**
 * Yodlee providers (institutions) to the broker's `Institution`: history from the TRANSACTIONS
 * attribute's `containerAttributes.BANK.numberOfTransactionDays`, `status: Beta`, `authType`
 * MFA_CREDENTIALS, and `isAutoRefreshEnabled: false` for banks that only refresh with the user.
 */
import type { Institution } from '../types.js'
import { idText } from './normalize.js'
import type { YProvider } from './wire.js'

function historyDays (p: YProvider): number | null {
  for (const ds of p.dataset ?? []) {
    for (const attr of ds.attribute ?? []) {
      if (attr.name !== 'TRANSACTIONS') continue
      const days = attr.containerAttributes?.BANK?.numberOfTransactionDays
      if (typeof days === 'number' && days > 0) return days
    }
  }
  return null
}

export function normalizeYodleeProvider (p: YProvider): Institution | null {
  const id = idText(p.id)
  const name = typeof p.name === 'string' ? p.name.trim() : ''
  if (id === null || name === '') return null
  const country = typeof p.countryISOCode === 'string' && /^[A-Za-z]{2}$/.test(p.countryISOCode) ? p.countryISOCode.toUpperCase() : 'XX'
  return {
    id,
    provider: 'yodlee',
    name,
    country,
    // Yodlee publishes no BIC for a provider site.
    bic: null,
    logoUrl: typeof p.logo === 'string' && p.logo !== '' ? p.logo : null,
    beta: p.status === 'Beta',
    historyDays: historyDays(p),
    refreshPolicy: p.isAutoRefreshEnabled === false ? 'manual_only' : 'automatic',
    mfa: p.authType === 'MFA_CREDENTIALS',
    // The consent length is per link (GET /consents expirationDate), not a provider field.
    consentDays: null
  }
}
