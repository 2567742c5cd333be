/**
 * Pure mapping of Enable Banking transactions to `NormalizedTransaction` (providers.md §5.5, §7.3).
 * Ids: `entry_reference` when the bank gives one, else a content fingerprint plus an occurrence
 * index, so true same-day duplicates stay two rows and re-fetches give the same ids.
 */
import { createHash } from 'node:crypto'
import { ProviderError } from '../errors.js'
import type { JsonObject, NormalizedTransaction, Party, TransactionStatus } from '../types.js'
import { absoluteDecimal, withSign } from '../decimal.js'
import type { EbAccountIdentification, EbParty, EbTransaction } from './wire.js'

const STATUS: Record<string, TransactionStatus> = {
  BOOK: 'booked', PDNG: 'pending', HOLD: 'hold', SCHD: 'scheduled', CNCL: 'cancelled', RJCT: 'rejected', OTHR: 'unknown'
}

/**
 * Occurrence counters shared by every page of one sync run, so a duplicate that straddles a page
 * boundary still gets the next index.
 */
export type OccurrenceCounter = Map<string, number>

export function createOccurrenceCounter (): OccurrenceCounter {
  return new Map()
}

function badResponse (message: string): ProviderError {
  return new ProviderError({ provider: 'enablebanking', kind: 'provider_down', message, providerCode: 'bad_response' })
}

/** `YYYY-MM-DD` as the bank meant it (the date part of a date-time, never shifted), or null. */
export function bankDate (value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value === '') return null
  const date = value.slice(0, 10)
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (m === null || (value.length > 10 && value[10] !== 'T' && value[10] !== ' ')) throw badResponse(`transaction ${field} is not a date`)
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const check = new Date(Date.UTC(y, mo - 1, d))
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) throw badResponse(`transaction ${field} is not a calendar date`)
  return date
}

function clean (text: string | null | undefined): string | null {
  if (typeof text !== 'string') return null
  const t = text.replace(/\s+/g, ' ').trim()
  return t === '' ? null : t
}

function partyName (party: EbParty | null | undefined): string | null {
  const name = clean(party?.name)
  if (name !== null) return name
  const lines = party?.postal_address?.address_line
  return Array.isArray(lines) && lines.length > 0 ? clean(lines[0]) : null
}

function accountIds (acct: EbAccountIdentification | null | undefined): { iban: string | null, accountNumber: string | null } {
  const iban = clean(acct?.iban)
  return { iban, accountNumber: iban ?? clean(acct?.other?.identification) }
}

/** The other side of the payment: the creditor when money goes out, the debtor when it comes in. */
export function counterpartyOf (tx: EbTransaction): Party | null {
  const out = tx.credit_debit_indicator === 'DBIT'
  const name = partyName(out ? tx.creditor : tx.debtor)
  const ids = accountIds(out ? tx.creditor_account : tx.debtor_account)
  const bic = clean((out ? tx.creditor_agent : tx.debtor_agent)?.bic_fi)
  if (name === null && ids.accountNumber === null && bic === null) return null
  return { name, iban: ids.iban, accountNumber: ids.accountNumber, bic }
}

function compact (obj: Record<string, unknown>): JsonObject {
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue
    if (typeof v === 'object' && !Array.isArray(v)) {
      const inner = compact(v as Record<string, unknown>)
      if (Object.keys(inner).length > 0) out[k] = inner
    } else {
      out[k] = v as JsonObject[string]
    }
  }
  return out
}

function fingerprint (tx: EbTransaction, amount: string, remittance: string[], counterparty: Party | null): string {
  const parts = [
    tx.booking_date ?? tx.value_date ?? tx.transaction_date ?? '',
    amount,
    tx.transaction_amount.currency,
    remittance.join('\n'),
    counterparty?.name ?? '',
    counterparty?.accountNumber ?? '',
    tx.reference_number ?? '',
    tx.bank_transaction_code?.description ?? ''
  ]
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)
}

function nextOccurrence (counter: OccurrenceCounter, key: string): number {
  const n = counter.get(key) ?? 0
  counter.set(key, n + 1)
  return n
}

/**
 * Booked entries with an `entry_reference` keep it (`ref:`); every other status is prefixed with
 * its own status, so a pending entry never shares an id with the booked entry that replaces it.
 */
function transactionId (tx: EbTransaction, amount: string, remittance: string[], counterparty: Party | null, counter: OccurrenceCounter): string {
  const prefix = tx.status === 'BOOK' ? '' : `${tx.status.toLowerCase()}:`
  const ref = clean(tx.entry_reference)
  let id: string
  if (ref !== null) {
    id = `${prefix}ref:${ref}`
  } else {
    const fp = fingerprint(tx, amount, remittance, counterparty)
    id = `${prefix}h:${fp}:${nextOccurrence(counter, `${prefix}${fp}`)}`
  }
  // A bank repeating an entry_reference inside one answer must not collapse two rows into one.
  const seen = nextOccurrence(counter, `id:${id}`)
  return seen === 0 ? id : `${id}:${seen}`
}

function assertTransactionShape (tx: EbTransaction): void {
  if (tx === null || typeof tx !== 'object') throw badResponse('transaction is not an object')
  if (tx.transaction_amount === null || typeof tx.transaction_amount !== 'object' || typeof tx.transaction_amount.amount !== 'string' || typeof tx.transaction_amount.currency !== 'string') {
    throw badResponse('transaction_amount is missing or malformed')
  }
  if (tx.credit_debit_indicator !== 'CRDT' && tx.credit_debit_indicator !== 'DBIT') throw badResponse('credit_debit_indicator is missing or unknown')
  if (typeof tx.status !== 'string') throw badResponse('transaction status is missing')
}

/** One Enable Banking transaction → the broker's shape. Throws `provider_down`/`bad_response` on malformed data. */
export function normalizeTransaction (tx: EbTransaction, accountId: string, counter: OccurrenceCounter): NormalizedTransaction {
  assertTransactionShape(tx)
  const amount = amountWithIndicator(tx.transaction_amount.amount, tx.credit_debit_indicator)
  if (amount === null) throw badResponse('transaction amount is not a decimal')
  const bookingDate = bankDate(tx.booking_date, 'booking_date')
  const valueDate = bankDate(tx.value_date, 'value_date')
  const transactionDate = bankDate(tx.transaction_date, 'transaction_date')
  const remittance = (Array.isArray(tx.remittance_information) ? tx.remittance_information : [])
    .filter((l): l is string => typeof l === 'string' && l.trim() !== '')
  const counterparty = counterpartyOf(tx)
  const instructed = tx.exchange_rate?.instructed_amount
  const originalAmount = instructed !== null && instructed !== undefined && typeof instructed.amount === 'string'
    ? { amount: amountWithIndicator(instructed.amount, tx.credit_debit_indicator) ?? instructed.amount, currency: instructed.currency }
    : null
  const status = STATUS[tx.status] ?? 'unknown'
  const description = clean(remittance.join(' ')) ?? counterparty?.name ?? clean(tx.bank_transaction_code?.description) ?? clean(tx.note) ?? ''
  const btc = tx.bank_transaction_code
  return {
    id: transactionId(tx, amount, remittance, counterparty, counter),
    accountId,
    providerTransactionId: clean(tx.entry_reference),
    supersedesPendingId: null,
    status,
    rawStatus: tx.status,
    amount,
    currency: tx.transaction_amount.currency,
    originalAmount,
    bookingDate: status === 'booked' ? (bookingDate ?? valueDate ?? transactionDate) : bookingDate,
    valueDate,
    transactionDate,
    description,
    remittanceInformation: remittance,
    structuredReference: clean(tx.reference_number),
    counterparty,
    endToEndId: null,
    merchantName: clean(tx.merchant_category_code) !== null ? (counterparty?.name ?? null) : null,
    details: compact({
      status: tx.status,
      entry_reference: clean(tx.entry_reference),
      booking_date: bookingDate,
      value_date: valueDate,
      transaction_date: transactionDate,
      bank_transaction_code: btc === null || btc === undefined ? null : { description: clean(btc.description), code: clean(btc.code), sub_code: clean(btc.sub_code) },
      merchant_category_code: clean(tx.merchant_category_code),
      reference_number: clean(tx.reference_number),
      reference_number_schema: clean(tx.reference_number_schema),
      exchange_rate: tx.exchange_rate === null || tx.exchange_rate === undefined
        ? null
        : { rate: clean(tx.exchange_rate.exchange_rate), unit_currency: clean(tx.exchange_rate.unit_currency), rate_type: clean(tx.exchange_rate.rate_type) },
      balance_after: tx.balance_after_transaction ?? null,
      counterparty_bic: counterparty?.bic ?? null
    })
  }
}

/** The date a transaction belongs to for window filtering: booking, else value, else transaction date. */
export function effectiveDate (t: NormalizedTransaction): string | null {
  return t.bookingDate ?? t.valueDate ?? t.transactionDate
}

/**
 * Amount signed from the account holder's side: the absolute value with the direction from
 * `credit_debit_indicator` (some banks send signed values; the indicator wins).
 */
export function amountWithIndicator (text: string, indicator: 'CRDT' | 'DBIT'): string | null {
  const abs = absoluteDecimal(text)
  return abs === null ? null : withSign(abs, indicator === 'DBIT')
}
