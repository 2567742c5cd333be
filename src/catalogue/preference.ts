/**
 * Which provider connects a bank that several providers offer. Per country, the providers with
 * the best coverage and data quality there come first (README "Link flow"); a provider not
 * listed for a country ranks after the listed ones, in the default order.
 */
import type { ProviderId } from '../../providers/types.js'

const EUROPE_OB: ProviderId[] = ['ponto', 'enablebanking', 'saltedge', 'yodlee']
const NORDICS: ProviderId[] = ['enablebanking', 'saltedge']

export const PROVIDER_PREFERENCE: Readonly<Record<string, readonly ProviderId[]>> = {
  BE: ['ponto', 'enablebanking', 'saltedge', 'yodlee', 'plaid'],
  NL: EUROPE_OB,
  FR: EUROPE_OB,
  DE: EUROPE_OB,
  LU: EUROPE_OB,
  FI: NORDICS,
  SE: NORDICS,
  NO: NORDICS,
  DK: NORDICS,
  US: ['plaid', 'yodlee', 'saltedge'],
  CA: ['plaid', 'yodlee', 'saltedge'],
  GB: ['yodlee', 'saltedge', 'enablebanking'],
  IN: ['yodlee', 'saltedge'],
  AU: ['yodlee', 'saltedge']
}

export const DEFAULT_PREFERENCE: readonly ProviderId[] = ['enablebanking', 'saltedge', 'ponto', 'yodlee', 'plaid']

/** Lower is better. */
export function providerRank (country: string, provider: string): number {
  const listed = PROVIDER_PREFERENCE[country] ?? []
  const i = listed.indexOf(provider as ProviderId)
  if (i >= 0) return i
  const d = DEFAULT_PREFERENCE.indexOf(provider as ProviderId)
  return listed.length + (d >= 0 ? d : DEFAULT_PREFERENCE.length)
}
