/**
 * Pure mapping of Ponto Connect JSON:API resources (transaction, pendingTransaction, account,
 * financialInstitution) onto the broker's model. Amounts are signed by Ponto (− = money out);
 * `executionDate` is the booking date and `valueDate` the value date, both date-times at 00:00Z.
 * @see https://documentation.ibanity.com/ponto-connect/api
 */
import { ProviderError } from '../errors.js'
import type { Account, Institution, JsonObject, NormalizedTransaction, Party } from '../types.js'
import { decimalFromJson as decimalString } from '../decimal.js'
import { institutionHints } from './institution-hints.js'

export interface PontoResource {
  type?: unknown
  id?: unknown
  attributes?: Record<string, unknown>
  relationships?: Record<string, { data?: { type?: unknown, id?: unknown } | null } | undefined>
  meta?: Record<string, unknown>
}

/** Ids of pending entries live in their own namespace so they never collide with booked ids. */
export const PENDING_ID_PREFIX = 'pending:'

function bad (what: string): ProviderError {
  return new ProviderError({ provider: 'ponto', kind: 'provider_down', message: `Ponto sent ${what}`, providerCode: 'bad_response' })
}

function str (value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null
}

function isRealDate (y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d
}

/**
 * The calendar day a Ponto date-time means. Ponto sends days as 00:00Z; a value at exactly 22:00Z
 * or 23:00Z is Brussels midnight (CEST / CET) of the next day, so it is moved forward, never back.
 */
export function dateOnly (value: unknown): string | null {
  if (typeof value !== 'string') return null
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim())
  if (m === null) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (!isRealDate(y, mo, d)) return null
  const date = `${m[1]}-${m[2]}-${m[3]}`
  const localMidnightInUtc = m[8] === 'Z' && (m[4] === '22' || m[4] === '23') && m[5] === '00' && (m[6] ?? '00') === '00' && /^\.?0*$/.test(m[7] ?? '')
  if (!localMidnightInUtc) return date
  return new Date(Date.UTC(y, mo - 1, d + 1)).toISOString().slice(0, 10)
}

const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/

function party (name: string | null, reference: string | null): Party | null {
  if (name === null && reference === null) return null
  const compact = reference?.replace(/\s+/g, '').toUpperCase() ?? null
  const iban = compact !== null && IBAN.test(compact) ? compact : null
  return { name, iban, accountNumber: iban === null ? reference : null, bic: null }
}

/** Keeps only the non-empty fields, for Odoo's `transaction_details`. */
function compact (fields: Record<string, string | null>): JsonObject {
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(fields)) if (v !== null) out[k] = v
  return out
}

/** A `transaction` (booked) or `pendingTransaction` resource → the broker's transaction. */
export function normalizeTransaction (raw: PontoResource, accountId: string, accountCurrency: string): NormalizedTransaction {
  const id = str(raw.id)
  if (id === null) throw bad('a transaction without an id')
  const pending = raw.type === 'pendingTransaction'
  if (!pending && raw.type !== 'transaction') throw bad('a resource that is not a transaction')
  const a = raw.attributes ?? {}
  const amount = decimalString(a.amount)
  if (amount === null) throw bad('a transaction amount that is not a number')
  const executionDate = dateOnly(a.executionDate)
  const valueDate = dateOnly(a.valueDate)
  if (!pending && executionDate === null) throw bad('a booked transaction without a valid executionDate')
  const remittance = str(a.remittanceInformation)
  const structured = remittance !== null && a.remittanceInformationType === 'structured' ? remittance : null
  const additional = str(a.additionalInformation)
  const counterpartName = str(a.counterpartName)
  const fee = decimalString(a.fee)
  return {
    id: pending ? `${PENDING_ID_PREFIX}${id}` : id,
    accountId,
    providerTransactionId: id,
    supersedesPendingId: null,
    status: pending ? 'pending' : 'booked',
    rawStatus: pending ? 'pendingTransaction' : 'transaction',
    amount,
    currency: str(a.currency) ?? accountCurrency,
    originalAmount: null,
    bookingDate: pending ? null : executionDate,
    valueDate,
    transactionDate: pending ? (valueDate ?? executionDate) : null,
    description: remittance ?? additional ?? counterpartName ?? str(a.description) ?? (pending ? 'Pending transaction' : 'Transaction'),
    remittanceInformation: [remittance, additional].filter((x): x is string => x !== null),
    structuredReference: structured,
    counterparty: party(counterpartName, str(a.counterpartReference)),
    endToEndId: str(a.endToEndId),
    merchantName: null,
    details: compact({
      status: pending ? 'pending' : 'booked',
      execution_date: executionDate,
      value_date: valueDate,
      bank_transaction_code: str(a.bankTransactionCode),
      proprietary_bank_transaction_code: str(a.proprietaryBankTransactionCode),
      purpose_code: str(a.purposeCode),
      end_to_end_id: str(a.endToEndId),
      mandate_id: str(a.mandateId),
      creditor_id: str(a.creditorId),
      card_reference: str(a.cardReference),
      card_reference_type: str(a.cardReferenceType),
      remittance_information_type: str(a.remittanceInformationType),
      counterpart_reference: str(a.counterpartReference),
      fee: fee !== null && fee !== '0.00' ? fee : null,
      description: str(a.description)
    })
  }
}

/** An `account` resource → the broker's account; `bic` comes from its financial institution. */
export function normalizeAccount (raw: PontoResource, bic: string | null): Account {
  const id = str(raw.id)
  if (id === null) throw bad('an account without an id')
  const a = raw.attributes ?? {}
  const currency = str(a.currency)
  if (currency === null) throw bad('an account without a currency')
  const reference = str(a.reference)
  return {
    id,
    providerAccountId: id,
    name: str(a.description) ?? str(a.product) ?? reference ?? 'Ponto account',
    accountNumber: reference !== null && a.referenceType === 'IBAN' ? reference.replace(/\s+/g, '') : reference,
    currency: currency.toUpperCase(),
    balance: decimalString(a.currentBalance),
    availableBalance: decimalString(a.availableBalance),
    bic,
    inverseBalanceSign: false,
    inverseTransactionSign: false,
    consentExpiresAt: dateOnly(a.authorizationExpirationExpectedAt)
  }
}

export function institutionIdOf (account: PontoResource): string | null {
  return str(account.relationships?.financialInstitution?.data?.id)
}

/** A `financialInstitution` resource → the broker's institution. Ponto has no history/refresh fields. */
export function normalizeInstitution (raw: PontoResource): Institution {
  const id = str(raw.id)
  if (id === null) throw bad('a financial institution without an id')
  const a = raw.attributes ?? {}
  const bic = str(a.bic)
  const hints = institutionHints(bic)
  const status = str(a.status)
  return {
    id,
    provider: 'ponto',
    name: str(a.name) ?? 'Unnamed institution',
    country: str(a.country)?.toUpperCase() ?? 'XX',
    bic,
    logoUrl: str(a.logoUrl),
    beta: status === 'beta' || status === 'experimental',
    historyDays: hints.historyDays,
    refreshPolicy: hints.refreshPolicy,
    mfa: hints.mfa,
    consentDays: hints.consentDays
  }
}
