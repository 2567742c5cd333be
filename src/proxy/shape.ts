/**
 * Shapes results for the caller's `utils.server_version` (odoo-protocol.md §7): the Odoo client
 * passes account and transaction dicts straight to `create()`, so only fields that version's
 * models have may appear.
 */
import type { Account, NormalizedTransaction } from '../../providers/types.js'

export function toNumber (decimal: string | null): number {
  return decimal === null ? 0 : Number(decimal)
}

export function shapeAccount (a: Account, major: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    online_identifier: a.id,
    name: a.name,
    account_number: a.accountNumber ?? '',
    balance: toNumber(a.balance),
    currency_code: a.currency
  }
  if (major >= 15) {
    out.inverse_balance_sign = a.inverseBalanceSign
    out.inverse_transaction_sign = a.inverseTransactionSign
  }
  if (major >= 19) out.available_balance = toNumber(a.availableBalance ?? a.balance)
  return out
}

export interface TxShapeOptions {
  major: number
  /** The transient (wizard) model: pendings, Find Missing Transactions. */
  transient: boolean
  foreignCurrency: boolean
}

function paymentRef (t: NormalizedTransaction): string {
  const text = t.remittanceInformation.filter(Boolean).join(' ').trim()
  const ref = t.structuredReference !== null && !text.includes(t.structuredReference) ? `${t.structuredReference} ${text}`.trim() : text
  return (ref || t.description || '/').slice(0, 1000)
}

export function shapeTransaction (t: NormalizedTransaction, date: string, o: TxShapeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {
    online_transaction_identifier: t.id,
    date,
    amount: Number(t.amount),
    payment_ref: paymentRef(t),
    partner_name: t.counterparty?.name ?? t.merchantName ?? null,
    account_number: t.counterparty?.iban ?? t.counterparty?.accountNumber ?? null,
    transaction_details: { ...t.details, status: t.rawStatus ?? t.status, value_date: t.valueDate, booking_date: t.bookingDate }
  }
  if (!o.transient && (t.counterparty?.iban || t.counterparty?.name)) out.online_partner_information = t.counterparty?.iban ?? t.counterparty?.name
  if (o.foreignCurrency && o.major >= 18 && t.originalAmount !== null && t.originalAmount.currency !== t.currency) {
    if (!(o.transient && o.major < 18)) {
      out.foreign_currency_code = t.originalAmount.currency
      const sign = t.amount.startsWith('-') ? -1 : 1
      out.amount_currency = sign * Math.abs(Number(t.originalAmount.amount))
    }
  }
  if (o.major >= 19 && !o.transient && t.endToEndId !== null) out.end_to_end_uuid = t.endToEndId
  return out
}
