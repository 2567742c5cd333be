/**
 * Pure mapping of Plaid JSON onto the broker's shapes: transactions (sign flipped: Plaid's
 * positive amount is money out), accounts and institutions. Schema violations throw `bad_response`.
 */
import type { Account, Institution, JsonObject, NormalizedTransaction, Party } from '../types.js'
import { decimalFromNumber, negateDecimal } from '../decimal.js'
import { badResponse } from './errors.js'

type Obj = Record<string, unknown>

function obj (v: unknown): Obj | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : null
}
function str (v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null
}

/** A real calendar date in YYYY-MM-DD form. */
export function isIsoDate (v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false
  const y = Number(v.slice(0, 4))
  const m = Number(v.slice(5, 7))
  const d = Number(v.slice(8, 10))
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
  return days !== undefined && d >= 1 && d <= days
}

function dateField (tx: Obj, field: string, required: boolean): string | null {
  const v = tx[field]
  if (v === null || v === undefined) {
    if (required) throw badResponse(`transaction ${field} missing`)
    return null
  }
  if (!isIsoDate(v)) throw badResponse(`transaction ${field} is not a date`)
  return v
}

/** UTC calendar date of an RFC 3339 timestamp (consent expiry is an instant, not a bank date). */
export function utcDateOf (timestamp: unknown): string | null {
  if (typeof timestamp !== 'string') return null
  const ms = Date.parse(timestamp)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 10)
}

export interface TransactionContext {
  /** The broker's account id (`Account.id`). */
  accountId: string
  accountCurrency: string
}

export function normalizeTransaction (raw: unknown, ctx: TransactionContext): NormalizedTransaction {
  const tx = obj(raw)
  if (tx === null) throw badResponse('transaction is not an object')
  const id = str(tx.transaction_id)
  if (id === null) throw badResponse('transaction_id missing')
  const plaidAmount = decimalFromNumber(tx.amount)
  if (plaidAmount === null) throw badResponse(`transaction ${id} amount is not a number`)
  if (typeof tx.pending !== 'boolean') throw badResponse(`transaction ${id} pending is not a boolean`)
  const pending = tx.pending
  const date = dateField(tx, 'date', true) as string
  const authorized = dateField(tx, 'authorized_date', false)
  const amount = negateDecimal(plaidAmount)
  const currency = str(tx.iso_currency_code) ?? str(tx.unofficial_currency_code) ?? ctx.accountCurrency
  const name = str(tx.name) ?? ''
  const original = str(tx.original_description)
  const bankText = (original ?? name).trim()
  const merchant = str(tx.merchant_name)
  const meta = obj(tx.payment_meta) ?? {}
  const counterparties = Array.isArray(tx.counterparties) ? tx.counterparties.map(obj).filter((c): c is Obj => c !== null) : []
  const moneyIn = !amount.startsWith('-')
  const partyName = str(counterparties[0]?.name) ?? str(moneyIn ? meta.payer : meta.payee) ?? str(meta.by_order_of)
  const counterparty: Party | null = partyName === null ? null : { name: partyName, iban: null, accountNumber: null, bic: null }
  const pendingId = pending ? null : str(tx.pending_transaction_id)
  return {
    id,
    accountId: ctx.accountId,
    providerTransactionId: id,
    supersedesPendingId: pendingId,
    status: pending ? 'pending' : 'booked',
    rawStatus: pending ? 'pending' : 'posted',
    amount,
    currency,
    originalAmount: null,
    bookingDate: pending ? null : date,
    valueDate: null,
    transactionDate: authorized ?? (pending ? date : null),
    description: bankText !== '' ? bankText : (merchant ?? partyName ?? ''),
    remittanceInformation: bankText !== '' ? [bankText] : [],
    structuredReference: null,
    counterparty,
    endToEndId: null,
    merchantName: merchant,
    details: transactionDetails(tx, meta, pending, pendingId)
  }
}

function transactionDetails (tx: Obj, meta: Obj, pending: boolean, pendingId: string | null): JsonObject {
  const pfc = obj(tx.personal_finance_category)
  const location = obj(tx.location)
  const place = location === null ? null : [location.city, location.region, location.country].map(str).filter(Boolean).join(', ')
  const entries: Array<[string, unknown]> = [
    ['status', pending ? 'pending' : 'posted'],
    ['pending_transaction_id', pendingId],
    ['authorized_date', str(tx.authorized_date)],
    ['datetime', str(tx.datetime)],
    ['authorized_datetime', str(tx.authorized_datetime)],
    ['payment_channel', str(tx.payment_channel)],
    ['transaction_code', str(tx.transaction_code)],
    ['check_number', str(tx.check_number)],
    ['category', str(pfc?.detailed) ?? str(pfc?.primary)],
    ['reference_number', str(meta.reference_number)],
    ['ppd_id', str(meta.ppd_id)],
    ['payment_processor', str(meta.payment_processor)],
    ['location', place !== null && place !== '' ? place : null],
    ['unofficial_currency_code', str(tx.unofficial_currency_code)]
  ]
  const details: JsonObject = {}
  for (const [k, v] of entries) if (typeof v === 'string') details[k] = v
  return details
}

const CARD_OR_LOAN = new Set(['credit', 'loan'])
/** Account types the broker syncs; investment holdings are not bank statements. */
export const SYNCABLE_TYPES = new Set(['depository', 'credit', 'loan', 'other'])

export function normalizeAccount (raw: unknown, consentExpiration: unknown): Account {
  const acc = obj(raw)
  if (acc === null) throw badResponse('account is not an object')
  const accountId = str(acc.account_id)
  if (accountId === null) throw badResponse('account_id missing')
  const balances = obj(acc.balances) ?? {}
  const currency = str(balances.iso_currency_code) ?? str(balances.unofficial_currency_code)
  if (currency === null) throw badResponse(`account ${accountId} has no currency`)
  const type = str(acc.type) ?? 'other'
  return {
    id: str(acc.persistent_account_id) ?? accountId,
    providerAccountId: accountId,
    name: str(acc.name) ?? str(acc.official_name) ?? 'Account',
    accountNumber: str(acc.mask),
    currency,
    balance: decimalFromNumber(balances.current),
    availableBalance: decimalFromNumber(balances.available),
    bic: null,
    inverseBalanceSign: CARD_OR_LOAN.has(type),
    inverseTransactionSign: false,
    consentExpiresAt: utcDateOf(consentExpiration)
  }
}

export function accountType (raw: unknown): string {
  return str(obj(raw)?.type) ?? 'other'
}

/**
 * Plaid has no beta, history-depth, MFA or consent-length fields on institutions, and refresh
 * limits are per Item (`update_type`), so those take the neutral values here.
 */
export function normalizeInstitution (raw: unknown, country: string | undefined): Institution | null {
  const inst = obj(raw)
  const id = str(inst?.institution_id)
  const name = str(inst?.name)
  if (inst === null || id === null || name === null) return null
  const codes = Array.isArray(inst.country_codes) ? inst.country_codes.filter((c): c is string => typeof c === 'string') : []
  const chosen = country !== undefined && codes.includes(country) ? country : codes[0]
  if (chosen === undefined) return null
  const logo = str(inst.logo)
  return {
    id,
    provider: 'plaid',
    name,
    country: chosen.toUpperCase(),
    bic: null,
    logoUrl: logo === null ? null : `data:image/png;base64,${logo}`,
    beta: false,
    historyDays: null,
    refreshPolicy: 'automatic',
    mfa: false,
    consentDays: null
  }
}
