/**
 * Pure mapping of Enable Banking accounts, balances and ASPSPs to the broker's `Account` and
 * `Institution`. Account.id is the `identification_hash` (stable across sessions and re-links);
 * the session-bound `uid` is only the `providerAccountId`.
 */
import type { Account, Institution, JsonObject } from '../types.js'
import { decimalFromJson as signedDecimal } from '../decimal.js'
import { quirksFor } from './quirks.js'
import type { EbAccountResource, EbAspsp, EbBalance } from './wire.js'

const BOOKED_TYPES = ['CLBD', 'ITBD', 'OPBD', 'PRCD', 'VALU', 'XPCD', 'INFO', 'OTHR']
const AVAILABLE_TYPES = ['CLAV', 'ITAV', 'XPCD', 'FWAV', 'OPAV']

/** Institution id: Enable Banking has no numeric id, the bank is `name` + `country`. */
export function institutionId (name: string, country: string): string {
  return `${name}|${country.toUpperCase()}`
}

export function parseInstitutionId (id: string): { name: string, country: string } | null {
  const at = id.lastIndexOf('|')
  if (at <= 0) return null
  const country = id.slice(at + 1)
  if (!/^[A-Z]{2}$/.test(country)) return null
  return { name: id.slice(0, at), country }
}

export function normalizeAspsp (a: EbAspsp): Institution {
  const quirks = quirksFor(a.name)
  const validity = typeof a.maximum_consent_validity === 'number' ? a.maximum_consent_validity : null
  return {
    id: institutionId(a.name, a.country),
    provider: 'enablebanking',
    name: a.name,
    country: a.country.toUpperCase(),
    bic: typeof a.bic === 'string' && a.bic !== '' ? a.bic : null,
    logoUrl: typeof a.logo === 'string' && a.logo !== '' ? a.logo : null,
    beta: a.beta === true,
    historyDays: quirks.historyDays ?? null,
    refreshPolicy: quirks.refreshPolicy ?? 'automatic',
    // EMBEDDED: the user types a one-time code into Enable Banking's page for the bank.
    mfa: Array.isArray(a.auth_methods) && a.auth_methods.some(m => m.approach === 'EMBEDDED'),
    consentDays: validity === null ? null : Math.floor(validity / 86_400)
  }
}

function pickBalance (balances: EbBalance[], types: string[]): string | null {
  for (const type of types) {
    const b = balances.find(x => x.balance_type === type)
    if (b !== undefined) {
      const v = signedDecimal(b.balance_amount.amount)
      if (v !== null) return v
    }
  }
  return null
}

/** What the adapter keeps of an account in the connection secrets (no tokens, no raw payload). */
export function accountSnapshot (a: EbAccountResource): JsonObject {
  const snap: JsonObject = {
    uid: a.uid ?? null,
    identification_hash: a.identification_hash,
    identification_hashes: Array.isArray(a.identification_hashes) ? a.identification_hashes : [],
    account_id: a.account_id === null || a.account_id === undefined
      ? null
      : { iban: a.account_id.iban ?? null, other: a.account_id.other === null || a.account_id.other === undefined ? null : { identification: a.account_id.other.identification, scheme_name: a.account_id.other.scheme_name } },
    name: a.name ?? null,
    details: a.details ?? null,
    product: a.product ?? null,
    currency: a.currency,
    cash_account_type: a.cash_account_type,
    account_servicer: a.account_servicer?.bic_fi === undefined || a.account_servicer?.bic_fi === null ? null : { bic_fi: a.account_servicer.bic_fi }
  }
  return snap
}

export interface AccountContext {
  /** ISO date the session ends (`access.valid_until`, date part). */
  consentExpiresAt: string | null
  /** The ASPSP's BIC, when the account does not carry its servicer's. */
  bic: string | null
}

export function normalizeAccount (a: EbAccountResource, balances: EbBalance[] | null, ctx: AccountContext): Account {
  const iban = a.account_id?.iban ?? null
  const other = a.account_id?.other?.identification ?? null
  const list = (balances ?? []).filter(b => b?.balance_amount?.currency === undefined || b.balance_amount.currency === a.currency)
  const booked = pickBalance(list, BOOKED_TYPES)
  const available = pickBalance(list, AVAILABLE_TYPES)
  const label = [a.details, a.product, a.name, iban, other].find(v => typeof v === 'string' && v.trim() !== '')
  return {
    id: a.identification_hash,
    providerAccountId: a.uid ?? '',
    name: typeof label === 'string' ? label.trim() : 'Account',
    accountNumber: iban ?? other,
    currency: a.currency,
    balance: booked ?? available,
    availableBalance: available,
    bic: a.account_servicer?.bic_fi ?? ctx.bic,
    // Enable Banking gives the direction per transaction (credit_debit_indicator), so no flip.
    inverseBalanceSign: false,
    inverseTransactionSign: false,
    consentExpiresAt: ctx.consentExpiresAt
  }
}
