/** The pure normaliser on Plaid's real sample payloads, and the decimal helpers. */
import t from 'tap'
import { decimalFromNumber, decimalToMinor, negateDecimal, decimalFromJson as normalizeDecimal } from '../../../providers/decimal.js'
import { accountType, normalizeAccount, normalizeInstitution, normalizeTransaction, SYNCABLE_TYPES, utcDateOf } from '../../../providers/plaid/normalize.js'
import { fixture } from './helpers.js'

const ctx = { accountId: 'acc-1', accountCurrency: 'USD' }

t.test('decimal strings never go through float arithmetic', async t => {
  t.equal(decimalFromNumber(72.1), '72.10')
  t.equal(decimalFromNumber(28.34), '28.34')
  t.equal(decimalFromNumber(23631.9805), '23631.9805')
  t.equal(decimalFromNumber(110), '110.00')
  t.equal(decimalFromNumber(0.1 + 0.2), '0.30000000000000004', 'keeps what the JSON said, no rounding')
  t.equal(decimalFromNumber(1e-7), '0.0000001')
  t.equal(decimalFromNumber(1e21), '1000000000000000000000.00')
  t.equal(decimalFromNumber(-0), '0.00')
  t.equal(decimalFromNumber(Number.NaN), null)
  t.equal(decimalFromNumber('12.3'), null)
  t.equal(negateDecimal('72.10'), '-72.10')
  t.equal(negateDecimal('-5.00'), '5.00')
  t.equal(negateDecimal('0.00'), '0.00')
  t.equal(normalizeDecimal('-007.5'), '-7.50')
  t.equal(decimalToMinor('-12.30'), -1230)
  t.equal(decimalToMinor('7'), 700)
  t.equal(decimalToMinor('1.234'), null)
})

t.test('transactions/sync sample: posted supersedes pending, signs flipped, dates kept', async t => {
  const sample = fixture('transactions-sync.response.json')
  const posted = normalizeTransaction(sample.added[0], ctx)
  t.equal(posted.id, 'lPNjeW1nR6CDn5okmGQ6hEpMo4lLNoSrzqDje')
  t.equal(posted.status, 'booked')
  t.equal(posted.amount, '-72.10', 'Plaid +72.1 is money out')
  t.equal(posted.bookingDate, '2023-09-24')
  t.equal(posted.transactionDate, '2023-09-22')
  t.equal(posted.valueDate, null)
  t.equal(posted.supersedesPendingId, 'no86Eox18VHMvaOVL7gPUM9ap3aR1LsAVZ5nc')
  t.equal(posted.description, 'PURCHASE WM SUPERCENTER #1700')
  t.same(posted.remittanceInformation, ['PURCHASE WM SUPERCENTER #1700'])
  t.equal(posted.merchantName, 'Walmart')
  t.equal(posted.counterparty?.name, 'Walmart')
  t.equal(posted.currency, 'USD')
  t.equal(posted.details.status, 'posted')
  t.equal(posted.details.location, 'Poway, CA, US')
  t.equal(posted.details.category, 'GENERAL_MERCHANDISE_SUPERSTORES')
  t.notOk('account_id' in posted.details, 'no raw payload in details')

  const pending = normalizeTransaction(sample.modified[0], ctx)
  t.equal(pending.status, 'pending')
  t.equal(pending.rawStatus, 'pending')
  t.equal(pending.amount, '-28.34')
  t.equal(pending.bookingDate, null, 'pending entries have no booking date')
  t.equal(pending.transactionDate, '2023-09-27', 'authorized_date, never the UTC day of a timestamp')
  t.equal(pending.supersedesPendingId, null)
  t.not(pending.id, posted.id)
})

t.test('transactions/get sample and a money-in transaction', async t => {
  const sample = fixture('transactions-get.response.json')
  const all = sample.transactions.map((x: unknown) => normalizeTransaction(x, ctx))
  t.same(all.map((x: { amount: string }) => x.amount), ['-28.34', '-72.10'])
  const refund = normalizeTransaction({ ...sample.transactions[1], amount: -15.5, pending_transaction_id: null, counterparties: [], merchant_name: null, payment_meta: { payer: 'ACME Corp' } }, ctx)
  t.equal(refund.amount, '15.50', 'Plaid negative = money in')
  t.equal(refund.counterparty?.name, 'ACME Corp', 'payer names the counterparty of money in')
  const original = normalizeTransaction({ ...sample.transactions[1], original_description: 'POS 1700 WM SUPERCENTER POWAY CA' }, ctx)
  t.equal(original.description, 'POS 1700 WM SUPERCENTER POWAY CA', 'the bank text wins for reconciliation')
})

t.test('schema violations are bad_response, never a silent row', async t => {
  const base = fixture('transactions-sync.response.json').added[0]
  for (const [what, patch] of [
    ['amount text', { amount: 'abc' }],
    ['impossible date', { date: '2024-13-45' }],
    ['missing id', { transaction_id: null }],
    ['pending not boolean', { pending: 'no' }]
  ] as const) {
    t.throws(() => normalizeTransaction({ ...base, ...patch }, ctx), { name: 'ProviderError', kind: 'provider_down', providerCode: 'bad_response' }, what)
  }
})

t.test('accounts/get sample', async t => {
  const sample = fixture('accounts-get.response.json')
  const syncable = sample.accounts.filter((a: unknown) => SYNCABLE_TYPES.has(accountType(a)))
  t.same(syncable.map((a: { name: string }) => a.name), ['Plaid Checking', 'Plaid Student Loan'], 'investment accounts are not bank statements')
  const checking = normalizeAccount(sample.accounts[0], '2024-03-16T15:53:00Z')
  t.match(checking, { id: 'blgvvBlXw3cq5GMPwqB6s6q4dLKB9WcVqGDGo', providerAccountId: 'blgvvBlXw3cq5GMPwqB6s6q4dLKB9WcVqGDGo', name: 'Plaid Checking', accountNumber: '0000', currency: 'USD', balance: '110.00', availableBalance: '100.00', inverseBalanceSign: false, consentExpiresAt: '2024-03-16' })
  const loan = normalizeAccount(sample.accounts[2], null)
  t.equal(loan.inverseBalanceSign, true, 'a loan balance is an amount owed')
  t.equal(loan.balance, '65262.00')
  t.equal(normalizeAccount({ ...sample.accounts[0], persistent_account_id: 'persist-1' }, null).id, 'persist-1', 'persistent_account_id survives re-links')
})

t.test('institutions and item samples', async t => {
  const inst = normalizeInstitution(fixture('institutions-search.response.json').institutions[0], undefined)
  t.match(inst, { id: 'ins_109513', provider: 'plaid', name: 'Theoretical Bank', country: 'US', bic: null, refreshPolicy: 'automatic' })
  t.equal(normalizeInstitution(fixture('institutions-get-by-id.response.json').institution, 'US')?.name, 'Houndstooth Bank')
  t.equal(normalizeInstitution({ institution_id: 'x' }, 'US'), null, 'no name, no institution')
  t.equal(utcDateOf(fixture('item-get.response.json').item.consent_expiration_time), '2024-03-16')
  t.equal(utcDateOf('2024-03-16T23:30:00-05:00'), '2024-03-17', 'an instant is reported by its UTC day')
  t.equal(utcDateOf(null), null)
})
