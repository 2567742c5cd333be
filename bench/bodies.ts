/** Deterministic request bodies shaped like Odoo's: a small transactions call and a 1 MB one. */
import { odooUtils } from './broker/signed.js'

export function smallOdooBody (): string {
  return JSON.stringify({
    account_id: 'b1c9e0d2-4f7a-4e55-9a3b-7c0d5e8f1a22',
    start_date: '2024-01-01',
    last_transaction_identifier: 'tx-2023-12-31-000042',
    include_pendings: true,
    next_data: null,
    utils: odooUtils('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', '17.0')
  })
}

const NAMES = ['Café du Marché', 'Grocery Market', 'Łódź Logistics', 'Zürich Treuhand AG', '東京 Trading', 'Ölwerk GmbH', 'Acme Industries']

/** About `bytes` of JSON: a list of transaction-like objects with unsorted keys, non-ASCII text, floats and nesting. */
export function largeOdooBody (bytes = 1 << 20): string {
  const transactions: unknown[] = []
  let size = 0
  for (let i = 0; size < bytes - 400; i++) {
    const name = NAMES[i % NAMES.length] as string
    const tx = {
      payment_ref: `INVOICE ${2024000 + i} ${name} — €${(i % 997) + 0.5}`,
      online_transaction_identifier: `tx-${String(i).padStart(8, '0')}`,
      date: `2024-${String(1 + i % 12).padStart(2, '0')}-${String(1 + i % 28).padStart(2, '0')}`,
      amount: i % 3 === 0 ? -((i % 9973) / 100 + 0.01) : (i % 7919) * 1.25,
      partner_name: name,
      account_number: i % 4 === 0 ? null : `BE${String(10 + i % 89)}${String(i).padStart(12, '0')}`,
      transaction_details: { kind: i % 2 === 0 ? 'card' : 'transfer', fx: i % 10 === 0 ? { rate: 1.0837, currency: 'USD' } : null, tags: ['bench', i % 5] },
      booked: i % 11 !== 0
    }
    const text = JSON.stringify(tx)
    size += text.length + 1
    transactions.push(tx)
  }
  return JSON.stringify({ transactions, utils: odooUtils('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', '17.0') })
}
