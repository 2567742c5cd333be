/**
 * The sandbox's Salt Edge providers: the kit's 7 banks in BE, FR, DE, GB and the fake country XF,
 * with each behaviour in Salt Edge's own provider fields (`automatic_fetch`, `refresh_timeout`,
 * `interactive`, `max_fetch_interval`, `max_consent_days`).
 */
import { SANDBOX_BANKS, sandboxBic, type SandboxBank } from '../../sandbox-kit/banks.js'
import type { SeProvider } from '../wire.js'

export const SANDBOX_COUNTRIES = ['BE', 'FR', 'DE', 'GB', 'XF'] as const

export interface CatalogEntry {
  provider: SeProvider
  bank: SandboxBank
  currency: string
}

const CURRENCY: Record<string, string> = { BE: 'EUR', FR: 'EUR', DE: 'EUR', GB: 'GBP', XF: 'USD' }
const TIMEZONE: Record<string, string> = { BE: 'Europe/Brussels', FR: 'Europe/Paris', DE: 'Europe/Berlin', GB: 'Europe/London', XF: 'UTC' }
/** PSD2 consents: 180 days in the EU (RTS as amended 2022), 90 days in the UK; fake providers have no limit. */
const CONSENT_DAYS: Record<string, number | null> = { BE: 180, FR: 180, DE: 180, GB: 90, XF: null }

export function providerCode (bank: SandboxBank, country: string): string {
  return `sandbox_${bank.behaviour}_bank_${country.toLowerCase()}`
}

function build (): Map<string, CatalogEntry> {
  const out = new Map<string, CatalogEntry>()
  let n = 0
  for (const country of SANDBOX_COUNTRIES) {
    for (const bank of SANDBOX_BANKS) {
      n++
      const code = providerCode(bank, country)
      const provider: SeProvider = {
        id: String(1000 + n),
        code,
        name: bank.name,
        mode: 'oauth',
        status: 'active',
        automatic_fetch: !bank.manualOnly,
        interactive: bank.mfa,
        regulated: country !== 'XF',
        country_code: country,
        logo_url: null,
        // minutes between refreshes: Salt Edge's usual hour, a day for the once-a-day bank
        refresh_timeout: bank.oncePerDay ? 1440 : 60,
        max_consent_days: CONSENT_DAYS[country] ?? null,
        max_fetch_interval: bank.historyDays,
        supported_fetch_scopes: ['accounts', 'transactions'],
        supported_account_natures: ['account', 'savings'],
        bic_codes: [sandboxBic(bank.behaviour, country)],
        timezone: TIMEZONE[country] ?? 'UTC',
        created_at: '2024-01-01T00:00:00Z',
        updated_at: '2024-01-01T00:00:00Z'
      }
      out.set(code, { provider, bank, currency: CURRENCY[country] ?? 'EUR' })
    }
  }
  return out
}

export const CATALOG: ReadonlyMap<string, CatalogEntry> = build()
