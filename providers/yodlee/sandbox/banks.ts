/**
 * The kit's sandbox banks as Yodlee providers in US, GB, IN and AU, with their behaviours in Yodlee's
 * own fields: `status: Beta`, `authType: MFA_CREDENTIALS`, `isAutoRefreshEnabled: false` (manual-only),
 * history in `containerAttributes.BANK.numberOfTransactionDays`; GB banks are Open Banking (`OAUTH`).
 */
import { SANDBOX_BANKS, type SandboxBank } from '../../sandbox-kit/banks.js'

export const SANDBOX_COUNTRIES = ['US', 'GB', 'IN', 'AU'] as const
export type SandboxCountry = typeof SANDBOX_COUNTRIES[number]

const CURRENCY: Record<SandboxCountry, string> = { US: 'USD', GB: 'GBP', IN: 'INR', AU: 'AUD' }
const ID_BASE: Record<SandboxCountry, number> = { US: 17_000, GB: 18_000, IN: 19_000, AU: 20_000 }
/** UK Open Banking consents last 90 days before they must be renewed. */
export const OPEN_BANKING_CONSENT_DAYS = 90

export interface SandboxProvider {
  id: number
  bank: SandboxBank
  country: SandboxCountry
  currency: string
  /** Open Banking provider: consent with an expiration date (GET /consents). */
  openBanking: boolean
}

const PROVIDERS: readonly SandboxProvider[] = SANDBOX_COUNTRIES.flatMap(country =>
  SANDBOX_BANKS.map((bank, i) => ({
    id: ID_BASE[country] + i + 1,
    bank,
    country,
    currency: CURRENCY[country],
    openBanking: country === 'GB' && !bank.mfa
  })))

export function sandboxProviders (): readonly SandboxProvider[] {
  return PROVIDERS
}

export function findProvider (id: number): SandboxProvider | undefined {
  return PROVIDERS.find(p => p.id === id)
}

function slug (name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
}

/** The provider as `GET /providers` shows it. */
export function providerJson (p: SandboxProvider, lastModified: string): Record<string, unknown> {
  const site = `https://${slug(p.bank.name)}.sandbox.invalid/${p.country.toLowerCase()}`
  return {
    id: p.id,
    name: p.bank.name,
    loginUrl: `${site}/login`,
    baseUrl: `${site}/`,
    status: p.bank.beta ? 'Beta' : 'Supported',
    countryISOCode: p.country,
    languageISOCode: 'EN',
    primaryLanguageISOCode: 'EN',
    authType: p.openBanking ? 'OAUTH' : p.bank.mfa ? 'MFA_CREDENTIALS' : 'CREDENTIALS',
    isConsentRequired: p.openBanking,
    isAutoRefreshEnabled: !p.bank.manualOnly,
    PRIORITY: 'COBRAND',
    lastModified,
    dataset: [{
      name: 'BASIC_AGG_DATA',
      attribute: [
        { name: 'BASIC_ACCOUNT_INFO', container: ['bank'] },
        { name: 'TRANSACTIONS', container: ['bank'], containerAttributes: { BANK: { numberOfTransactionDays: p.bank.historyDays } } }
      ]
    }]
  }
}
