/**
 * Sandbox data in Plaid's wire format: the kit's banks as Plaid institutions (US and CA),
 * Plaid-style ids, and the kit's transactions as Plaid transactions (pending and posted versions
 * carry different ids, as Plaid's do).
 */
import { SANDBOX_BANKS, type SandboxBank } from '../sandbox-kit/banks.js'
import type { SandboxTransaction } from '../sandbox-kit/history.js'
import { createHash } from 'node:crypto'
import { stableId } from '../sandbox-kit/prng.js'
import { minorToNumber } from '../decimal.js'

export interface SandboxInstitution {
  id: string
  bank: SandboxBank
  country: 'US' | 'CA'
  currency: 'USD' | 'CAD'
}

const COUNTRY_BASE = { US: 990_001, CA: 990_101 } as const

export const SANDBOX_INSTITUTIONS: readonly SandboxInstitution[] = (['US', 'CA'] as const).flatMap(country =>
  SANDBOX_BANKS.map((bank, i) => ({ id: `ins_${COUNTRY_BASE[country] + i}`, bank, country, currency: country === 'US' ? 'USD' as const : 'CAD' as const }))
)

export function institutionById (id: unknown): SandboxInstitution | undefined {
  return SANDBOX_INSTITUTIONS.find(i => i.id === id)
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A 37-character id in the alphabet Plaid uses for item, account and transaction ids. */
export function plaidId (...parts: Array<string | number>): string {
  const bytes = createHash('sha512').update(parts.join('|')).digest()
  let out = ''
  for (let i = 0; i < 37; i++) out += ID_ALPHABET[(bytes[i] as number) % ID_ALPHABET.length]
  return out
}

/** Routing-number shaped digits (US ABA / CA institution+transit), stable per institution. */
function routingNumber (inst: SandboxInstitution): string {
  return String(parseInt(stableId('routing', inst.id).slice(0, 8), 16) % 1_000_000_000).padStart(9, '0')
}

/**
 * Plaid's institution status is the only place it describes refresh cadence; the sandbox uses
 * `refresh_interval` DELAYED for the once-a-day bank and STOPPED for the manual-only bank, and a
 * DEGRADED login health for the flaky bank. (Beta has no Plaid equivalent.)
 */
function institutionStatus (inst: SandboxInstitution): Record<string, unknown> {
  const b = inst.bank
  const since = '2024-01-01T00:00:00Z'
  const refresh = b.manualOnly ? 'STOPPED' : b.oncePerDay ? 'DELAYED' : 'NORMAL'
  const health = b.flaky ? 'DEGRADED' : 'HEALTHY'
  const breakdown = b.flaky ? { success: 0.6, error_plaid: 0.05, error_institution: 0.35 } : { success: 0.98, error_plaid: 0.01, error_institution: 0.01 }
  return {
    item_logins: { status: health, last_status_change: since, breakdown },
    transactions_updates: { status: health, last_status_change: since, breakdown: { ...breakdown, refresh_interval: refresh } }
  }
}

export function institutionJson (inst: SandboxInstitution, opts: { metadata?: boolean, status?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    country_codes: [inst.country],
    institution_id: inst.id,
    name: inst.bank.name,
    oauth: inst.bank.mfa,
    products: ['assets', 'auth', 'balance', 'identity', 'transactions'],
    routing_numbers: [routingNumber(inst)],
    dtc_numbers: []
  }
  if (opts.metadata === true) {
    out.url = null
    out.primary_color = `#${stableId('color', inst.id).slice(0, 6)}`
    out.logo = null
  }
  if (opts.status === true) out.status = institutionStatus(inst)
  return out
}

const CATEGORY: Record<SandboxTransaction['kind'], [string, string]> = {
  card: ['GENERAL_MERCHANDISE', 'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE'],
  transfer_in: ['TRANSFER_IN', 'TRANSFER_IN_DEPOSIT'],
  transfer_out: ['TRANSFER_OUT', 'TRANSFER_OUT_ACCOUNT_TRANSFER'],
  direct_debit: ['RENT_AND_UTILITIES', 'RENT_AND_UTILITIES_OTHER_UTILITIES'],
  fee: ['BANK_FEES', 'BANK_FEES_OTHER_BANK_FEES'],
  interest: ['INCOME', 'INCOME_INTEREST_EARNED']
}

export interface TransactionVersion {
  tx: SandboxTransaction
  pending: boolean
  /** Posted versions of transactions that were once pending point at the pending id. */
  pendingId: string | null
}

export function transactionIdFor (itemId: string, key: string, pending: boolean): string {
  return plaidId(itemId, pending ? 'pending' : 'posted', key)
}

/** One Plaid transaction, always with `original_description` (the sync handler strips it unless asked). */
export function transactionJson (itemId: string, accountId: string, v: TransactionVersion): Record<string, unknown> {
  const { tx, pending } = v
  const card = tx.kind === 'card'
  const moneyIn = tx.amountMinor >= 0
  const party = tx.counterpartyName
  const [primary, detailed] = CATEGORY[tx.kind]
  const original = [tx.remittance, tx.structuredReference].filter(Boolean).join(' ')
  return {
    account_id: accountId,
    account_owner: null,
    amount: minorToNumber(-tx.amountMinor),
    authorized_date: tx.transactionDate,
    authorized_datetime: null,
    check_number: null,
    counterparties: card || tx.kind === 'direct_debit'
      ? [{ name: party, type: 'merchant', logo_url: null, website: null, entity_id: null, confidence_level: 'HIGH' }]
      : [],
    date: pending ? tx.transactionDate : tx.bookingDate,
    datetime: null,
    iso_currency_code: tx.currency,
    location: { address: null, city: null, region: null, postal_code: null, country: null, lat: null, lon: null, store_number: null },
    logo_url: null,
    merchant_entity_id: null,
    merchant_name: card ? party : null,
    name: tx.remittance,
    original_description: original,
    payment_channel: card ? 'in store' : 'other',
    payment_meta: {
      by_order_of: null,
      payee: !moneyIn && !card ? party : null,
      payer: moneyIn && tx.kind === 'transfer_in' ? party : null,
      payment_method: card ? null : tx.kind === 'direct_debit' ? 'ACH' : tx.kind.startsWith('transfer') ? 'ACH' : null,
      payment_processor: null,
      ppd_id: null,
      reason: null,
      reference_number: tx.endToEndId
    },
    pending,
    pending_transaction_id: pending ? null : v.pendingId,
    personal_finance_category: { primary, detailed, confidence_level: 'HIGH' },
    transaction_code: null,
    transaction_id: transactionIdFor(itemId, tx.key, pending),
    transaction_type: card ? 'place' : 'special',
    unofficial_currency_code: null,
    website: null
  }
}
