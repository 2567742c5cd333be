/**
 * Pure mapping of Yodlee transactions and accounts to the broker's shapes. Quirks handled: the amount
 * is unsigned and `baseType` (CREDIT/DEBIT) gives the direction; `date` is postDate or else
 * transactionDate; a pending entry posts under a new id and is never given the booked entry's id.
 */
import type { Account, JsonObject, NormalizedTransaction, TransactionStatus } from '../types.js'
import { decimalFromJson as toDecimalString, withSign } from '../decimal.js'
import { badResponse } from './errors.js'
import type { YAccount, YMoney, YTransaction } from './wire.js'

const DATE = /^(\d{4})-(\d{2})-(\d{2})/

/** The calendar date the bank meant: the date part as written, never shifted through a Date. */
export function datePart (value: unknown): string | null {
  if (typeof value !== 'string') return null
  const m = DATE.exec(value)
  if (m === null) return null
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1 || day > 31) return null
  return `${m[1]}-${m[2]}-${m[3]}`
}

/** Yodlee ids are int64 JSON numbers (or numeric strings); returns the digits, or null. */
export function idText (value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
  if (typeof value === 'string' && /^\d{1,19}$/.test(value)) return value
  return null
}

const STATUS: Record<string, TransactionStatus> = {
  POSTED: 'booked',
  CLEARED: 'booked',
  PENDING: 'pending',
  SCHEDULED: 'scheduled',
  FAILED: 'rejected'
}

function compact (obj: Record<string, unknown>): JsonObject {
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || v === '') continue
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v
  }
  return out
}

function clean (v: unknown): string | null {
  if (typeof v !== 'string') return null
  const t = v.replace(/\s+/g, ' ').trim()
  return t === '' ? null : t
}

/** One Yodlee transaction for the broker account `accountId`; throws `bad_response` on broken data. */
export function normalizeYodleeTransaction (raw: YTransaction, accountId: string): NormalizedTransaction {
  const id = idText(raw.id)
  if (id === null) throw badResponse('Yodlee transaction without a valid id')
  const magnitude = toDecimalString(raw.amount?.amount)
  const currency = typeof raw.amount?.currency === 'string' ? raw.amount.currency : null
  if (magnitude === null || currency === null) throw badResponse(`Yodlee transaction ${id} has no valid amount`)
  const rawStatus = typeof raw.status === 'string' ? raw.status : null
  const status = rawStatus !== null ? (STATUS[rawStatus] ?? 'unknown') : 'unknown'
  const date = datePart(raw.date)
  const transactionDate = datePart(raw.transactionDate) ?? (status === 'booked' ? null : date)
  const bookingDate = status === 'booked' ? (datePart(raw.postDate) ?? date) : null
  if (date === null && transactionDate === null && bookingDate === null) throw badResponse(`Yodlee transaction ${id} has no valid date`)

  // Unsigned amount + baseType; without baseType fall back to the number's own sign.
  const negative = raw.baseType === 'DEBIT' || (raw.baseType !== 'CREDIT' && magnitude.startsWith('-'))
  const amount = withSign(magnitude, negative)

  const container = typeof raw.CONTAINER === 'string' && raw.CONTAINER !== '' ? raw.CONTAINER : 'bank'
  // Yodlee's id + CONTAINER is unique; entries that are not booked get a status suffix so a pending
  // one can never collide with the booked entry that replaces it.
  const stableId = status === 'booked' ? `${container}:${id}` : `${container}:${id}:${(rawStatus ?? 'unknown').toLowerCase()}`

  const original = clean(raw.description?.original)
  const simple = clean(raw.description?.simple)
  const merchant = clean(raw.merchant?.name)
  const description = simple ?? original ?? merchant ?? clean(raw.memo) ?? ''

  return {
    id: stableId,
    accountId,
    providerTransactionId: id,
    supersedesPendingId: null,
    status,
    rawStatus,
    amount,
    currency,
    originalAmount: null,
    bookingDate,
    valueDate: null,
    transactionDate,
    description,
    remittanceInformation: original !== null ? [original] : [],
    structuredReference: null,
    counterparty: merchant !== null ? { name: merchant, iban: null, accountNumber: null, bic: null } : null,
    endToEndId: null,
    merchantName: merchant,
    details: compact({
      status: rawStatus,
      container,
      baseType: raw.baseType,
      type: raw.type,
      subType: raw.subType,
      category: raw.category,
      categoryType: raw.categoryType,
      postDate: datePart(raw.postDate),
      transactionDate: datePart(raw.transactionDate),
      checkNumber: raw.checkNumber,
      memo: clean(raw.memo),
      simpleDescription: simple,
      sourceType: raw.sourceType,
      runningBalance: toDecimalString(raw.runningBalance?.amount)
    })
  }
}

function money (m: YMoney | undefined): string | null {
  return m === undefined ? null : toDecimalString(m.amount)
}

/** One Yodlee account; `consentExpiresAt` comes from `/consents` (Open Banking links only). */
export function normalizeYodleeAccount (raw: YAccount, consentExpiresAt: string | null): Account {
  const id = idText(raw.id)
  if (id === null) throw badResponse('Yodlee account without a valid id')
  const currencySource = [raw.currentBalance, raw.balance, raw.availableBalance].find(m => typeof m?.currency === 'string')
  const currency = currencySource !== undefined ? currencySource.currency as string : null
  if (currency === null) throw badResponse(`Yodlee account ${id} has no currency`)
  const name = clean(raw.accountName) ?? clean(raw.displayedName) ?? clean(raw.nickname) ??
    [clean(raw.providerName), clean(raw.accountType)].filter(Boolean).join(' ')
  return {
    id,
    providerAccountId: id,
    name: name === '' ? `Account ${id}` : name,
    accountNumber: clean(raw.fullAccountNumberList?.paymentAccountNumber) ?? clean(raw.fullAccountNumberList?.unmaskedAccountNumber) ?? clean(raw.accountNumber),
    currency,
    balance: money(raw.currentBalance) ?? money(raw.balance),
    availableBalance: money(raw.availableBalance),
    bic: null,
    // Yodlee reports card and loan balances as the positive amount owed (isAsset false).
    inverseBalanceSign: raw.isAsset === false,
    // baseType already states the direction from the holder's side, cards included.
    inverseTransactionSign: false,
    consentExpiresAt
  }
}
