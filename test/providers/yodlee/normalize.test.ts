/** Pure normaliser, decimal, error and settings tests on Yodlee's published samples. */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { ProviderError } from '../../../providers/errors.js'
import { credentialsFromSettings } from '../../../providers/yodlee/credentials.js'
import { decimalFromJson as toDecimalString, withSign } from '../../../providers/decimal.js'
import { mapYodleeError } from '../../../providers/yodlee/errors.js'
import { datePart, normalizeYodleeAccount, normalizeYodleeTransaction } from '../../../providers/yodlee/normalize.js'
import { normalizeYodleeProvider } from '../../../providers/yodlee/normalize-institution.js'
import { parseFastLinkCallback } from '../../../providers/yodlee/fastlink.js'

function thrown (fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}

function fixture (name: string): any {
  return JSON.parse(readFileSync(new URL(`../../../../test/providers/yodlee/fixtures/${name}`, import.meta.url), 'utf8'))
}

t.test('official posted DEBIT sample: unsigned amount + baseType gives a negative string', async t => {
  const [raw] = fixture('transactions.response.json').transaction
  const tx = normalizeYodleeTransaction(raw, '1112165599')
  t.equal(tx.id, 'bank:6199521803')
  t.equal(tx.providerTransactionId, '6199521803')
  t.equal(tx.amount, '-3680.29')
  t.equal(tx.currency, 'USD')
  t.equal(tx.status, 'booked')
  t.equal(tx.rawStatus, 'POSTED')
  t.equal(tx.bookingDate, '2019-03-10')
  t.equal(tx.transactionDate, '2019-03-10')
  t.equal(tx.description, 'U.S. Bank Loan')
  t.same(tx.remittanceInformation, ['ACH Withdrawal-Debit XXXXXXXX00 - PPD US BANK - LOAN A BILL PAYMT'])
  t.match(tx.details, { status: 'POSTED', baseType: 'DEBIT', checkNumber: '998', category: 'Loans', runningBalance: '5974.21' })
  t.notOk(JSON.stringify(tx.details).includes('accountId'), 'details stay compact')
})

t.test('pending sample never shares the booked id space and has no booking date', async t => {
  const rows = fixture('transactions-posted-and-pending.constructed.json').transaction
  const pending = normalizeYodleeTransaction(rows[1], '1112165600')
  t.equal(pending.id, 'creditCard:6199521804:pending')
  t.equal(pending.status, 'pending')
  t.equal(pending.amount, '-42.10', '42.1 becomes 42.10 without float arithmetic')
  t.equal(pending.bookingDate, null)
  t.equal(pending.transactionDate, '2019-03-11')
  const booked = normalizeYodleeTransaction({ ...rows[1], status: 'POSTED', postDate: '2019-03-12', date: '2019-03-12' }, '1112165600')
  t.equal(booked.id, 'creditCard:6199521804', 'same Yodlee id posted: different broker id than the pending one')
  t.equal(booked.bookingDate, '2019-03-12')
})

t.test('CREDIT is positive, statuses map, dates never drift', async t => {
  const base = { id: 1, accountId: 2, amount: { amount: 0.1, currency: 'GBP' }, baseType: 'CREDIT', status: 'CLEARED', date: '2024-12-31T23:30:00-05:00' }
  const tx = normalizeYodleeTransaction(base, '2')
  t.equal(tx.amount, '0.10')
  t.equal(tx.status, 'booked')
  t.equal(tx.bookingDate, '2024-12-31', 'the date part the bank wrote, not the UTC instant')
  t.equal(normalizeYodleeTransaction({ ...base, status: 'SCHEDULED' }, '2').status, 'scheduled')
  t.equal(normalizeYodleeTransaction({ ...base, status: 'FAILED' }, '2').status, 'rejected')
  t.equal(normalizeYodleeTransaction({ ...base, status: 'SCHEDULED' }, '2').id, 'bank:1:scheduled')
  t.equal(datePart('2024-13-45'), null)
})

t.test('schema-violating rows are refused as bad_response', async t => {
  const ok = { id: 1, accountId: 2, amount: { amount: 1, currency: 'USD' }, baseType: 'DEBIT', status: 'POSTED', date: '2024-01-02' }
  for (const bad of [{ ...ok, amount: { amount: 'abc', currency: 'USD' } }, { ...ok, id: undefined }, { ...ok, date: '2024-13-45', postDate: undefined }, { ...ok, amount: { amount: 5 } }]) {
    const err = thrown(() => normalizeYodleeTransaction(bad, '2'))
    t.ok(err instanceof ProviderError)
    t.match(err, { kind: 'provider_down', providerCode: 'bad_response' })
  }
})

t.test('decimal strings', async t => {
  t.equal(toDecimalString(20000), '20000.00')
  t.equal(toDecimalString(3680.29), '3680.29')
  t.equal(toDecimalString(1e21), '1000000000000000000000.00')
  t.equal(toDecimalString(1.5e-7), '0.00000015')
  t.equal(toDecimalString('-0.00'), '0.00')
  t.equal(toDecimalString('012.5'), '12.50')
  t.equal(toDecimalString(Number.NaN), null)
  t.equal(toDecimalString('1,00'), null)
  t.equal(withSign('12.30', true), '-12.30')
  t.equal(withSign('0.00', true), '0.00')
})

t.test('official account sample', async t => {
  const [raw] = fixture('accounts.response.json').account
  const a = normalizeYodleeAccount(raw, null)
  t.same(a, {
    id: '2251053', providerAccountId: '2251053', name: 'Savings Account', accountNumber: 'xxxx8823', currency: 'USD',
    balance: '20000.00', availableBalance: '20000.00', bic: null, inverseBalanceSign: false, inverseTransactionSign: false, consentExpiresAt: null
  })
  t.equal(normalizeYodleeAccount({ ...raw, CONTAINER: 'creditCard', isAsset: false }, '2025-06-12').inverseBalanceSign, true)
})

t.test('provider → institution from native fields', async t => {
  const inst = normalizeYodleeProvider({
    id: 643, name: 'Chase', countryISOCode: 'us', status: 'Beta', authType: 'MFA_CREDENTIALS', isAutoRefreshEnabled: false, logo: 'https://x/logo.png',
    dataset: [{ name: 'BASIC_AGG_DATA', attribute: [{ name: 'TRANSACTIONS', container: ['bank'], containerAttributes: { BANK: { numberOfTransactionDays: 365 } } }] }]
  })
  t.same(inst, { id: '643', provider: 'yodlee', name: 'Chase', country: 'US', bic: null, logoUrl: 'https://x/logo.png', beta: true, historyDays: 365, refreshPolicy: 'manual_only', mfa: true, consentDays: null })
  t.equal(normalizeYodleeProvider({ name: 'no id' }), null)
})

t.test('official Y804 body maps to invalid_request keeping code and referenceCode', async t => {
  const body = fixture('error-y804.json')
  const err = mapYodleeError({ status: 400, headers: {}, text: JSON.stringify(body), json: body })
  t.equal(err.kind, 'invalid_request')
  t.equal(err.providerCode, 'Y804')
  t.equal(err.providerRequestId, 'u1455707934756c4F23u')
  t.equal(mapYodleeError({ status: 401, headers: {}, text: '', json: { errorCode: 'Y020' } }).kind, 'misconfigured')
  t.equal(mapYodleeError({ status: 400, headers: {}, text: '', json: { errorCode: 'Y807' } }).kind, 'reauth_required')
  t.equal(mapYodleeError({ status: 503, headers: {}, text: '', json: { errorCode: 'Y902' } }).kind, 'provider_down')
  const limited = mapYodleeError({ status: 429, headers: { 'retry-after': '7' }, text: '', json: undefined })
  t.equal(limited.kind, 'rate_limited')
  t.equal(limited.retryAfterSeconds, 7)
})

t.test('FastLink callback parsing', async t => {
  t.same(parseFastLinkCallback({ status: 'SUCCESS', providerAccountId: '123', providerId: '17001', requestId: 'r' }), { providerAccountId: '123', providerId: '17001', requestId: 'r' })
  t.match(thrown(() => parseFastLinkCallback({ action: 'exit', status: 'USER_CLOSE_ACTION' })), { kind: 'reauth_required', providerCode: 'USER_CLOSE_ACTION' })
  t.match(thrown(() => parseFastLinkCallback({ status: 'FAILED', additionalStatus: 'SITE_UNAVAILABLE' })), { kind: 'provider_down' })
  t.match(thrown(() => parseFastLinkCallback({ status: 'SUCCESS', providerAccountId: '1 OR 1=1' })), { kind: 'invalid_request' })
  t.match(thrown(() => parseFastLinkCallback({ status: 'WHATEVER' })), { kind: 'invalid_request' })
})

t.test('settings', async t => {
  const good = { YODLEE_CLIENT_ID: 'c', YODLEE_SECRET: 's', YODLEE_ADMIN_LOGIN_NAME: 'admin-x', YODLEE_FASTLINK_URL: 'https://fl4.prod.yodlee.com/authenticate/x/fastlink', YODLEE_FASTLINK_CONFIG_NAME: 'Aggregation' }
  t.equal(credentialsFromSettings(good).fastlinkConfigName, 'Aggregation')
  t.throws(() => credentialsFromSettings({ ...good, YODLEE_SECRET: ' ' }), { message: /^YODLEE_SECRET: / })
  t.throws(() => credentialsFromSettings({ ...good, YODLEE_FASTLINK_URL: 'http://insecure.example' }), /YODLEE_FASTLINK_URL: expected an absolute https URL/)
  t.throws(() => credentialsFromSettings({ ...good, YODLEE_ADMIN_LOGIN_NAME: 'ab' }), /YODLEE_ADMIN_LOGIN_NAME/)
})
