/**
 * Pure mapping of Salt Edge JSON to the broker's model (providers.md §7.3): signed amounts kept
 * as decimal strings (− = money out, as Salt Edge sends them), dates taken as the bank wrote
 * them, posted ids from Salt Edge, pending ids from content + occurrence (pending are snapshots).
 */
import { createHash } from 'node:crypto'
import { ProviderError } from '../errors.js'
import type { Account, Institution, JsonObject, NormalizedTransaction, Party, RefreshPolicy } from '../types.js'
import { decimalFromNumber as numberToDecimal } from '../decimal.js'
import type { SeAccount, SeProvider, SeTransaction } from './wire.js'

function bad (what: string): ProviderError {
  return new ProviderError({ provider: 'saltedge', kind: 'provider_down', message: `Salt Edge sent ${what}`, providerCode: 'bad_response' })
}

/** `YYYY-MM-DD` from a date or date-time string as written (no time-zone conversion), or null. */
export function datePart (value: unknown): string | null {
  if (typeof value !== 'string') return null
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value)
  if (m === null) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const t = new Date(Date.UTC(y, mo - 1, d))
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null
  return m[0]
}

function text (value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
}

const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/

function counterpartyOf (tx: SeTransaction, credit: boolean): Party | null {
  const e = tx.extra ?? {}
  const name = credit ? (text(e.payer) ?? text(e.payee)) : (text(e.payee) ?? text(e.payer))
  const number = text(e.account_number)
  const compact = number?.replace(/\s+/g, '').toUpperCase() ?? null
  if (name === null && number === null) return null
  const iban = compact !== null && IBAN.test(compact) ? compact : null
  return { name, iban, accountNumber: iban === null ? number : null, bic: null }
}

/** Content key of a pending entry: the same bank line always gives the same key. */
function pendingKey (tx: SeTransaction, amount: string): string {
  return createHash('sha256')
    .update([tx.account_id, tx.made_on, amount, tx.currency_code, tx.description ?? '', tx.extra?.payee ?? '', tx.extra?.payer ?? ''].join('\u001f'))
    .digest('hex').slice(0, 32)
}

/**
 * Ids for one complete pending snapshot of an account: `pending:<content hash>:<n>`, where n
 * counts identical lines so true same-day duplicates stay apart. Never equal to a posted id.
 */
export function pendingIds (txs: readonly SeTransaction[]): string[] {
  const seen = new Map<string, number>()
  return txs.map(tx => {
    const key = pendingKey(tx, numberToDecimal(tx.amount) ?? String(tx.amount))
    const n = seen.get(key) ?? 0
    seen.set(key, n + 1)
    return `pending:${key}:${n}`
  })
}

function compact (entries: Record<string, unknown>): JsonObject {
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(entries)) {
    if (v === null || v === undefined || v === '') continue
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v
  }
  return out
}

/** One Salt Edge transaction → normalised; `pendingId` is required for pending entries. */
export function normalizeTransaction (tx: SeTransaction, accountId: string, pendingId?: string): NormalizedTransaction {
  if (tx === null || typeof tx !== 'object') throw bad('a transaction that is not an object')
  const amount = numberToDecimal(tx.amount)
  if (amount === null) throw bad('a transaction amount that is not a number')
  const madeOn = datePart(tx.made_on)
  if (madeOn === null) throw bad('a transaction without a valid made_on date')
  const currency = typeof tx.currency_code === 'string' && /^[A-Z]{3}$/.test(tx.currency_code) ? tx.currency_code : null
  if (currency === null) throw bad('a transaction without a currency code')
  const pending = tx.status === 'pending'
  if (!pending && (typeof tx.id !== 'string' || tx.id === '')) throw bad('a posted transaction without an id')
  if (pending && pendingId === undefined) throw new Error('pending transactions need a snapshot id')
  const e = tx.extra ?? {}
  const posting = datePart(e.posting_date)
  const credit = !amount.startsWith('-')
  const description = text(tx.description) ?? text(e.payee) ?? text(e.payer) ?? text(e.information) ?? ''
  const remittance = [text(tx.description), text(e.information), text(e.additional), text(credit ? e.payer_information : e.payee_information)]
    .filter((v, i, all): v is string => v !== null && all.indexOf(v) === i)
  const originalAmount = numberToDecimal(e.original_amount)
  const originalCurrency = text(e.original_currency_code)
  return {
    id: pending ? pendingId as string : tx.id,
    accountId,
    providerTransactionId: pending ? null : tx.id,
    supersedesPendingId: null,
    status: pending ? 'pending' : tx.status === 'posted' ? 'booked' : 'unknown',
    rawStatus: typeof tx.status === 'string' ? tx.status : null,
    amount,
    currency,
    originalAmount: originalAmount !== null && originalCurrency !== null ? { amount: originalAmount, currency: originalCurrency } : null,
    bookingDate: posting ?? (pending ? null : madeOn),
    valueDate: null,
    transactionDate: madeOn,
    description,
    remittanceInformation: remittance,
    structuredReference: null,
    counterparty: counterpartyOf(tx, credit),
    endToEndId: text(e.end_to_end_id),
    merchantName: text(e.merchant_name),
    details: compact({
      status: tx.status,
      made_on: madeOn,
      posting_date: posting,
      time: text(e.time),
      posting_time: text(e.posting_time),
      mode: text(tx.mode),
      category: text(tx.category),
      type: text(e.type),
      mcc: text(e.mcc),
      record_number: text(e.record_number),
      end_to_end_id: text(e.end_to_end_id),
      balance_after: numberToDecimal(e.account_balance_snapshot)
    })
  }
}

/** Salt Edge signs amounts and balances from the holder's side, card and loan accounts included. */
export function normalizeAccount (acc: SeAccount, consentExpiresAt: string | null): Account {
  if (acc === null || typeof acc !== 'object' || typeof acc.id !== 'string' || acc.id === '') throw bad('an account without an id')
  const currency = typeof acc.currency_code === 'string' && /^[A-Z]{3}$/.test(acc.currency_code) ? acc.currency_code : null
  if (currency === null) throw bad('an account without a currency code')
  const e = acc.extra ?? {}
  const iban = text(e.iban)?.replace(/\s+/g, '') ?? null
  return {
    id: acc.id,
    providerAccountId: acc.id,
    name: text(acc.name) ?? text(e.account_name) ?? acc.id,
    accountNumber: iban ?? text(e.account_number) ?? (Array.isArray(e.cards) ? text(e.cards[0]) : null),
    currency,
    balance: numberToDecimal(acc.balance),
    availableBalance: numberToDecimal(e.available_amount),
    bic: text(e.swift),
    inverseBalanceSign: false,
    inverseTransactionSign: false,
    consentExpiresAt
  }
}

function refreshPolicy (p: SeProvider): RefreshPolicy {
  if (p.automatic_fetch === false) return 'manual_only'
  if (typeof p.refresh_timeout === 'number' && p.refresh_timeout >= 1440) return 'once_per_day'
  return 'automatic'
}

/** Salt Edge has no beta flag for providers; `interactive` providers ask for an extra code. */
export function normalizeInstitution (p: SeProvider): Institution {
  return {
    id: p.code,
    provider: 'saltedge',
    name: p.name,
    country: typeof p.country_code === 'string' ? p.country_code.toUpperCase() : 'XX',
    bic: Array.isArray(p.bic_codes) && typeof p.bic_codes[0] === 'string' ? p.bic_codes[0] : null,
    logoUrl: text(p.logo_url),
    beta: false,
    historyDays: typeof p.max_fetch_interval === 'number' ? p.max_fetch_interval : null,
    refreshPolicy: refreshPolicy(p),
    mfa: p.interactive === true,
    consentDays: typeof p.max_consent_days === 'number' ? p.max_consent_days : null
  }
}
