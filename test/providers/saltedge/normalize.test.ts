/**
 * The pure Salt Edge normaliser on the real sample payloads: decimal strings without float
 * arithmetic, signs as sent, dates without drift, pending snapshot ids, accounts, providers,
 * and the sample error body's mapping.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { decimalFromNumber as numberToDecimal, decimalToMinor, minorToNumber } from '../../../providers/decimal.js'
import { mapSaltEdgeError } from '../../../providers/saltedge/errors.js'
import { datePart, normalizeAccount, normalizeInstitution, normalizeTransaction, pendingIds } from '../../../providers/saltedge/normalize.js'
import type { SeList, SeAccount, SeProvider, SeTransaction } from '../../../providers/saltedge/wire.js'
import { CATALOG } from '../../../providers/saltedge/sandbox/catalog.js'

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../../../test/providers/saltedge/fixtures/${name}`, import.meta.url), 'utf8')) as T

t.test('numbers to decimal strings', async t => {
  t.equal(numberToDecimal(72.1), '72.10')
  t.equal(numberToDecimal(-25.5), '-25.50')
  t.equal(numberToDecimal(100.0), '100.00')
  t.equal(numberToDecimal(2012.14), '2012.14')
  t.equal(numberToDecimal(0.07), '0.07')
  t.equal(numberToDecimal(-0), '0.00')
  t.equal(numberToDecimal(1e-7), '0.0000001')
  t.equal(numberToDecimal(1.5e21), '1500000000000000000000.00')
  t.equal(numberToDecimal(123456789.12), '123456789.12')
  t.equal(numberToDecimal(0.1 + 0.2), '0.30000000000000004', 'a float result is shown as it is, never silently rounded')
  t.equal(numberToDecimal('12.30'), null)
  t.equal(numberToDecimal(Number.NaN), null)
  t.equal(decimalToMinor('-12.30'), -1230)
  t.equal(decimalToMinor('45'), 4500)
  t.equal(decimalToMinor('1.234'), null)
  t.equal(minorToNumber(-1230), -12.3)
})

t.test('dates: the date part as written, no time-zone drift, invalid dates refused', async t => {
  t.equal(datePart('2018-04-01'), '2018-04-01')
  t.equal(datePart('2024-03-31T23:30:00-05:00'), '2024-03-31')
  t.equal(datePart('2024-03-31T00:30:00+02:00'), '2024-03-31')
  t.equal(datePart('2024-13-45'), null)
  t.equal(datePart('2023-02-29'), null)
  t.equal(datePart(20240101), null)
})

t.test('posted sample transaction (official SDK fixture)', async t => {
  const list = fixture<SeList<SeTransaction>>('transactions-v5.response.json')
  const tx = normalizeTransaction(list.data[0] as SeTransaction, 'acc-2')
  t.match(tx, {
    id: '3',
    accountId: 'acc-2',
    providerTransactionId: '3',
    status: 'booked',
    rawStatus: 'posted',
    amount: '100.00',
    currency: 'EUR',
    bookingDate: '2018-04-01',
    transactionDate: '2018-04-01',
    valueDate: null,
    description: 'Income for MasterCard',
    remittanceInformation: ['Income for MasterCard'],
    counterparty: null,
    details: { status: 'posted', made_on: '2018-04-01', mode: 'normal', category: 'transfer' }
  })
  t.notOk('raw' in tx.details, 'no raw payload in details')
})

t.test('pending sample: snapshot id, negative amount, no booking date', async t => {
  const list = fixture<SeList<SeTransaction>>('transactions-posted-and-pending.constructed.json')
  const pending = list.data.filter(x => x.status === 'pending')
  const ids = pendingIds(pending)
  const tx = normalizeTransaction(pending[0] as SeTransaction, 'acc-2', ids[0])
  t.match(tx, { status: 'pending', amount: '-25.50', bookingDate: null, transactionDate: '2018-04-01', providerTransactionId: null })
  t.match(tx.id, /^pending:[0-9a-f]{32}:0$/)
  t.not(tx.id, '4', 'never the unstable provider id')
  const refetched = { ...pending[0] as SeTransaction, id: '99999' }
  t.equal(pendingIds([refetched])[0], ids[0], 'the same line re-created with a new id keeps its id')
  const twice = pendingIds([pending[0] as SeTransaction, refetched])
  t.same(twice.map(x => x.slice(-2)), [':0', ':1'], 'true same-day duplicates stay apart')
  const other = pendingIds([{ ...pending[0] as SeTransaction, amount: -25.51 }])
  t.not(other[0], ids[0])
  t.throws(() => normalizeTransaction(pending[0] as SeTransaction, 'acc-2'), 'pending needs a snapshot id')
})

t.test('extra fields: posting date, counterparty by direction, original amount, e2e id', async t => {
  const base = fixture<SeList<SeTransaction>>('transactions-v5.response.json').data[0] as SeTransaction
  const debit = normalizeTransaction({ ...base, amount: -42.1, made_on: '2024-02-28', extra: { posting_date: '2024-03-01', payee: 'Paper & Co', payer: 'Me', account_number: 'BE68 5390 0754 7034', original_amount: -45.5, original_currency_code: 'USD', end_to_end_id: 'E2E-1', information: 'INV 7', time: '10:11:12' } }, 'a')
  t.match(debit, { amount: '-42.10', bookingDate: '2024-03-01', transactionDate: '2024-02-28', counterparty: { name: 'Paper & Co', iban: 'BE68539007547034', accountNumber: null }, originalAmount: { amount: '-45.50', currency: 'USD' }, endToEndId: 'E2E-1' })
  t.same(debit.remittanceInformation, ['Income for MasterCard', 'INV 7'])
  t.equal(debit.details.time, '10:11:12')
  const credit = normalizeTransaction({ ...base, extra: { payee: 'Me', payer: 'Acme', account_number: '12345678' } }, 'a')
  t.match(credit.counterparty, { name: 'Acme', iban: null, accountNumber: '12345678' })
})

function thrown (fn: () => unknown): unknown {
  try { fn() } catch (err) { return err }
  throw new Error('expected a throw')
}

t.test('garbage rows are refused as bad_response', async t => {
  const base = fixture<SeList<SeTransaction>>('transactions-v5.response.json').data[0] as SeTransaction
  t.match(thrown(() => normalizeTransaction({ ...base, amount: 'abc' as unknown as number }, 'a')), { kind: 'provider_down', providerCode: 'bad_response' })
  t.match(thrown(() => normalizeTransaction({ ...base, made_on: '2024-13-45' }, 'a')), { providerCode: 'bad_response' })
  t.match(thrown(() => normalizeTransaction({ ...base, id: '' }, 'a')), { providerCode: 'bad_response' })
  t.match(thrown(() => normalizeTransaction({ ...base, currency_code: '' }, 'a')), { providerCode: 'bad_response' })
})

t.test('accounts sample (official v6 swagger example)', async t => {
  const list = fixture<SeList<SeAccount>>('accounts-v6.response.json')
  const [card, current] = list.data.map(a => normalizeAccount(a, '2025-09-01'))
  t.match(card, { id: '1111111111111111111', name: 'Simple account 1 MasterCard', accountNumber: 'DE5555555555555555555555', currency: 'EUR', balance: '2007.90', bic: 'ABCDEFGH', inverseBalanceSign: false, inverseTransactionSign: false, consentExpiresAt: '2025-09-01' })
  t.match(current, { id: '2222222222222222222', currency: 'USD', balance: '2012.14', availableBalance: null })
  t.equal(list.meta?.next_id, '3333333333333333333', 'paging cursor present in the sample')
})

t.test('providers: native fields to institutions', async t => {
  const byCode = (code: string): SeProvider => (CATALOG.get(code) as { provider: SeProvider }).provider
  t.match(normalizeInstitution(byCode('sandbox_daily_bank_de')), { provider: 'saltedge', refreshPolicy: 'once_per_day', historyDays: 365, consentDays: 180 })
  t.match(normalizeInstitution(byCode('sandbox_manual_bank_gb')), { refreshPolicy: 'manual_only', consentDays: 90 })
  t.match(normalizeInstitution(byCode('sandbox_mfa_bank_xf')), { mfa: true, consentDays: null, country: 'XF' })
})

t.test('the sample error body (HTTP 404) maps to reauth_required and keeps the class', async t => {
  const body = fixture<object>('error-connection-not-found.json')
  const err = mapSaltEdgeError({ status: 404, headers: {}, text: JSON.stringify(body), json: body })
  t.match(err, { provider: 'saltedge', kind: 'reauth_required', providerCode: 'ConnectionNotFound', httpStatus: 404 })
  t.match(err.message, /ConnectionNotFound/)
  const html = mapSaltEdgeError({ status: 502, headers: {}, text: '<html>', json: undefined })
  t.match(html, { kind: 'provider_down', providerCode: 'http_502' })
})
