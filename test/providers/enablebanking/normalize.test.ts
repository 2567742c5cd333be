/**
 * The Enable Banking normaliser on the real sample payloads (providers.md samples, copied to
 * fixtures/): signs from credit_debit_indicator, ids, pending vs booked, counterparty by
 * direction, dates without drift, accounts by identification_hash, ASPSP flags.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { absoluteDecimal, decimalFromJson as signedDecimal } from '../../../providers/decimal.js'
import { amountWithIndicator } from '../../../providers/enablebanking/normalize.js'
import { accountSnapshot, normalizeAccount, normalizeAspsp, parseInstitutionId } from '../../../providers/enablebanking/normalize-account.js'
import { createOccurrenceCounter, normalizeTransaction } from '../../../providers/enablebanking/normalize.js'
import type { EbAccountResource, EbAspsp, EbBalance, EbTransaction } from '../../../providers/enablebanking/wire.js'

const FIXTURES = new URL('../../../../test/providers/enablebanking/fixtures/', import.meta.url)
function fixture<T> (name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T
}
const ACCOUNT = 'acct-hash'

t.test('decimal strings', async t => {
  t.equal(absoluteDecimal('5.2'), '5.20')
  t.equal(absoluteDecimal('-0007'), '7.00')
  t.equal(absoluteDecimal('1.234'), '1.234', 'three-decimal currencies keep their precision')
  t.equal(absoluteDecimal('1e3'), null)
  t.equal(signedDecimal('-0.00'), '0.00')
  t.equal(signedDecimal('-12.3'), '-12.30')
  t.equal(amountWithIndicator('1752.38', 'DBIT'), '-1752.38')
  t.equal(amountWithIndicator('-5.20', 'DBIT'), '-5.20', 'a bank that signs its debits is not flipped twice')
  t.equal(amountWithIndicator('-5.20', 'CRDT'), '5.20', 'the indicator wins over a stray sign')
  t.equal(amountWithIndicator('0', 'DBIT'), '0.00')
  t.equal(amountWithIndicator('abc', 'CRDT'), null)
})

t.test('page 1 sample: unsigned DBIT amounts become negative, entry_reference ids, creditor as counterparty', async t => {
  const page = fixture<{ transactions: EbTransaction[], continuation_key: string }>('transactions-page1.response.json')
  const counter = createOccurrenceCounter()
  const [card, insurance] = page.transactions.map(tx => normalizeTransaction(tx, ACCOUNT, counter))
  t.same({ id: card?.id, amount: card?.amount, currency: card?.currency, status: card?.status, bookingDate: card?.bookingDate, valueDate: card?.valueDate, transactionDate: card?.transactionDate }, {
    id: 'ref:202402025EQEL1052327', amount: '-5.20', currency: 'EUR', status: 'booked', bookingDate: '2024-02-02', valueDate: '2024-02-02', transactionDate: '2024-02-02'
  })
  t.same(card?.counterparty, { name: 'GOOGLE*GSUITE ENALA CC GOOGLE.COM', iban: null, accountNumber: null, bic: null })
  t.equal(card?.description, '492025******5323 OSTOPVM 240201 MF NRO 74697694033920041360051 VARMENTAJA 400')
  t.same(card?.remittanceInformation, ['492025******5323    OSTOPVM  240201\nMF NRO 74697694033920041360051\nVARMENTAJA 400'], 'remittance lines are kept verbatim')
  t.equal(card?.merchantName, null, 'no merchant category code, no merchant')
  t.equal(insurance?.amount, '-1752.38')
  t.same(insurance?.counterparty, { name: 'Pohjola Vakuutus Oy', iban: 'FI7150000120001820', accountNumber: 'FI7150000120001820', bic: null })
  t.equal(insurance?.structuredReference, '2412258514251')
  t.same(insurance?.details, { status: 'BOOK', entry_reference: '202312195FVT00312044', booking_date: '2024-02-01', value_date: '2024-02-01', transaction_date: '2024-02-01', bank_transaction_code: { description: 'MAKSUPALVELU' }, reference_number: '2412258514251' })
  const last = fixture<{ transactions: EbTransaction[] }>('transactions-last-page.response.json')
  t.equal(normalizeTransaction(last.transactions[0] as EbTransaction, ACCOUNT, counter).amount, '-168.33')
})

t.test('booked and pending sample: CRDT positive, pending has its own id and no booking date, debtor as counterparty', async t => {
  const body = fixture<{ transactions: EbTransaction[] }>('transactions-book-and-pending.constructed-from-spec-examples.json')
  const counter = createOccurrenceCounter()
  const [booked, pending] = body.transactions.map(tx => normalizeTransaction(tx, ACCOUNT, counter))
  t.equal(booked?.id, 'ref:5561990681')
  t.equal(booked?.amount, '1.23')
  t.equal(booked?.status, 'booked')
  t.same(booked?.counterparty, { name: null, iban: 'FI8638798819867751', accountNumber: 'FI8638798819867751', bic: null }, 'CRDT: the debtor side')
  t.equal(booked?.merchantName, null, 'the creditor of a credit is the holder, never the merchant')
  t.equal(booked?.description, 'RF07850352502356628678117 Gift for Alex')
  t.equal(pending?.status, 'pending')
  t.equal(pending?.rawStatus, 'PDNG')
  t.equal(pending?.bookingDate, null)
  t.equal(pending?.valueDate, '2020-01-02')
  t.match(pending?.id, /^pdng:h:[0-9a-f]{32}:0$/)
  t.not(pending?.id, booked?.id)
  // Re-fetching gives the same pending id.
  t.equal(normalizeTransaction(body.transactions[1] as EbTransaction, ACCOUNT, createOccurrenceCounter()).id, pending?.id)
})

t.test('true same-day duplicates without entry_reference stay two rows, with stable ids', async t => {
  const base: EbTransaction = {
    transaction_amount: { currency: 'EUR', amount: '2.50' }, credit_debit_indicator: 'DBIT', status: 'BOOK',
    booking_date: '2024-03-01', creditor: { name: 'Toll Road' }, remittance_information: ['TOLL']
  }
  const run = (): string[] => { const c = createOccurrenceCounter(); return [base, { ...base }, { ...base, booking_date: '2024-03-02' }].map(x => normalizeTransaction(x, ACCOUNT, c).id) }
  const ids = run()
  t.equal(new Set(ids).size, 3)
  t.match(ids[0], /:0$/)
  t.match(ids[1], /:1$/)
  t.match(ids[2], /:0$/)
  t.same(run(), ids, 'stable across re-fetches')
  const c = createOccurrenceCounter()
  const repeated = [{ ...base, entry_reference: 'X1' }, { ...base, entry_reference: 'X1' }].map(x => normalizeTransaction(x, ACCOUNT, c).id)
  t.same(repeated, ['ref:X1', 'ref:X1:1'], 'a repeated entry_reference does not merge two rows')
})

t.test('dates are taken as the bank wrote them; malformed data is refused', async t => {
  const tx: EbTransaction = { transaction_amount: { currency: 'EUR', amount: '1' }, credit_debit_indicator: 'CRDT', status: 'BOOK', booking_date: '2024-03-31T23:30:00-05:00', entry_reference: 'A' }
  t.equal(normalizeTransaction(tx, ACCOUNT, createOccurrenceCounter()).bookingDate, '2024-03-31', 'no shift to UTC')
  const ing: EbTransaction = { transaction_amount: { currency: 'EUR', amount: '9.99' }, credit_debit_indicator: 'DBIT', status: 'BOOK', booking_date: '2024-01-01', creditor: { postal_address: { address_line: ['ACME SHOP', 'Main street 1'] } } }
  t.equal(normalizeTransaction(ing, ACCOUNT, createOccurrenceCounter()).counterparty?.name, 'ACME SHOP', 'ING puts the name in the address lines')
  for (const bad of [
    { ...tx, transaction_amount: { currency: 'EUR', amount: 'abc' } },
    { ...tx, booking_date: '2024-13-45' },
    { ...tx, booking_date: '2024-02-30' },
    { ...tx, credit_debit_indicator: 'X' },
    { ...tx, transaction_amount: undefined }
  ]) {
    try {
      normalizeTransaction(bad as unknown as EbTransaction, ACCOUNT, createOccurrenceCounter())
      t.fail('should throw')
    } catch (err: any) {
      t.equal(err.kind, 'provider_down')
      t.equal(err.providerCode, 'bad_response')
    }
  }
  const fx = normalizeTransaction({ ...tx, credit_debit_indicator: 'DBIT', exchange_rate: { unit_currency: 'USD', exchange_rate: '1.08', instructed_amount: { currency: 'USD', amount: '10.80' } } }, ACCOUNT, createOccurrenceCounter())
  t.same(fx.originalAmount, { amount: '-10.80', currency: 'USD' })
  t.same(fx.details.exchange_rate, { rate: '1.08', unit_currency: 'USD' })
})

t.test('account from the sessions sample: id is identification_hash, uid is the provider id, balances chosen by type', async t => {
  const session = fixture<{ accounts: EbAccountResource[], access: { valid_until: string } }>('sessions-create.response.json')
  const balances = fixture<{ balances: EbBalance[] }>('balances.response.json').balances
  const res = session.accounts[0] as EbAccountResource
  const a = normalizeAccount(res, balances, { consentExpiresAt: '2024-11-26', bic: 'SBANFIHH' })
  t.same(a, {
    id: res.identification_hash,
    providerAccountId: '9fd5eab6-750e-4ec1-9d28-ef8456d15023',
    name: 'TESTITILI',
    accountNumber: 'FI2439390058811110',
    currency: 'EUR',
    balance: '2107.45',
    availableBalance: '2107.45',
    bic: 'SBANFIHH',
    inverseBalanceSign: false,
    inverseTransactionSign: false,
    consentExpiresAt: '2024-11-26'
  })
  const details = fixture<EbAccountResource>('account-details.response.json')
  t.equal(normalizeAccount(details, null, { consentExpiresAt: null, bic: null }).name, 'My account nickname', 'the PSU nickname wins')
  t.equal(normalizeAccount(details, null, { consentExpiresAt: null, bic: null }).balance, null)
  const snap = accountSnapshot(res)
  t.equal(JSON.stringify(snap).includes('MAKKONEN'), true)
  t.same(normalizeAccount(snap as unknown as EbAccountResource, balances, { consentExpiresAt: null, bic: null }).id, res.identification_hash, 'a snapshot normalises the same')
})

t.test('ASPSPs from the sample: beta, BIC, consent days, institution id', async t => {
  const list = fixture<{ aspsps: EbAspsp[] }>('aspsps.response.json').aspsps.map(normalizeAspsp)
  const by = (name: string) => list.find(i => i.name === name)
  t.same(by('Nordea Corporate'), { id: 'Nordea Corporate|FI', provider: 'enablebanking', name: 'Nordea Corporate', country: 'FI', bic: 'NDEAFIHH', logoUrl: 'https://enablebanking.com/brands/FI/Nordea%20Corporate/', beta: true, historyDays: null, refreshPolicy: 'automatic', mfa: false, consentDays: 180 })
  t.equal(by('Aktia')?.consentDays, 0, '3600 s is less than a day')
  t.equal(by('DNB')?.consentDays, 90)
  t.equal(by('N26')?.bic, null)
  t.equal(by('DNB')?.refreshPolicy, 'automatic', 'required_psu_headers alone means "all or none", not manual-only')
  t.same(parseInstitutionId('Nordea Corporate|FI'), { name: 'Nordea Corporate', country: 'FI' })
  t.same(parseInstitutionId('A|B|SE'), { name: 'A|B', country: 'SE' })
  t.equal(parseInstitutionId('Nordea'), null)
})
