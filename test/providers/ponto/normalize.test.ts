/**
 * The pure Ponto normaliser and error mapping on the real Ibanity fixtures (copied from
 * /work/shared/provider-samples/ponto): amounts as strings, dates without drift, pending ids apart.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { isProviderError } from '../../../providers/errors.js'
import { pontoCredentialsFromSettings } from '../../../providers/ponto/credentials.js'
import { decimalFromJson as decimalString } from '../../../providers/decimal.js'
import { mapApiError, mapSyncErrors, mapTokenError } from '../../../providers/ponto/errors.js'
import { dateOnly, normalizeAccount, normalizeInstitution, normalizeTransaction, type PontoResource } from '../../../providers/ponto/normalize.js'

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../../../../test/providers/ponto/fixtures/${name}`, import.meta.url), 'utf8'))

t.test('booked transaction sample', async t => {
  const raw = fixture('transactions.response.json').data[0] as PontoResource
  const tx = normalizeTransaction(raw, 'acc-1', 'EUR')
  t.equal(tx.id, 'a4a47c21-b606-464f-ae17-f8e3af6772c9', 'the stable Ponto UUID')
  t.equal(tx.status, 'booked')
  t.equal(tx.amount, '2.76')
  t.equal(tx.currency, 'EUR')
  t.equal(tx.bookingDate, '2020-06-19')
  t.equal(tx.valueDate, '2020-06-19')
  t.equal(tx.transactionDate, null)
  t.equal(tx.description, 'Tempora animi qui!')
  t.same(tx.remittanceInformation, ['Tempora animi qui!', 'Aut.'])
  t.equal(tx.structuredReference, null)
  t.same(tx.counterparty, { name: 'Rice Ltd', iban: 'BE62467153327786', accountNumber: null, bic: null })
  t.equal(tx.endToEndId, 'a965fa0788c241f3b13df3fbda744a07')
  t.match(tx.details, { status: 'booked', bank_transaction_code: 'PMNT-IRCT-ESCT', mandate_id: '486', creditor_id: '315', purpose_code: 'CASH', fee: '3.14', card_reference: '6666' })
  t.notOk('digest' in tx.details, 'no raw payload fields beyond the compact subset')
})

t.test('pending sample: same Ponto id as the booked sample, still a different broker id', async t => {
  const booked = normalizeTransaction(fixture('transactions.response.json').data[0], 'acc-1', 'EUR')
  const pending = normalizeTransaction(fixture('pending-transactions.response.json').data[0], 'acc-1', 'EUR')
  t.equal(pending.providerTransactionId, booked.providerTransactionId)
  t.equal(pending.id, 'pending:a4a47c21-b606-464f-ae17-f8e3af6772c9')
  t.not(pending.id, booked.id)
  t.equal(pending.status, 'pending')
  t.equal(pending.rawStatus, 'pendingTransaction')
  t.equal(pending.bookingDate, null)
  t.equal(pending.transactionDate, '2020-06-19')
  t.equal(pending.details.execution_date, '2020-06-20')
})

t.test('structured Belgian reference and a counterpart that is not an IBAN', async t => {
  const raw = { type: 'transaction', id: 'x', attributes: { amount: -72.1, executionDate: '2024-03-01T00:00:00.000Z', valueDate: '2024-02-29T00:00:00.000Z', remittanceInformationType: 'structured', remittanceInformation: '+++090/9337/55493+++', counterpartReference: '0012 3456 7890', counterpartName: 'Energy Provider SA' } }
  const tx = normalizeTransaction(raw, 'acc', 'EUR')
  t.equal(tx.amount, '-72.10', 'money out stays negative, no float noise')
  t.equal(tx.structuredReference, '+++090/9337/55493+++')
  t.equal(tx.valueDate, '2024-02-29')
  t.same(tx.counterparty, { name: 'Energy Provider SA', iban: null, accountNumber: '0012 3456 7890', bic: null })
})

t.test('garbage transactions are a provider failure, never a silent zero', async t => {
  for (const attributes of [{ amount: 'abc', executionDate: '2024-01-01T00:00:00Z' }, { amount: 1, executionDate: '2024-13-45T00:00:00Z' }, { amount: null, executionDate: '2024-01-01T00:00:00Z' }]) {
    t.throws(() => normalizeTransaction({ type: 'transaction', id: 'x', attributes }, 'a', 'EUR'), { kind: 'provider_down', providerCode: 'bad_response' } as unknown as Error)
  }
  t.throws(() => normalizeTransaction({ type: 'transaction', attributes: { amount: 1 } }, 'a', 'EUR'), { providerCode: 'bad_response' } as unknown as Error)
})

t.test('account sample', async t => {
  const account = normalizeAccount(fixture('accounts.response.json').data[0], 'GEBABEBB')
  t.same(account, {
    id: '8804e34f-12b0-4b70-86bf-265f013ca232',
    providerAccountId: '8804e34f-12b0-4b70-86bf-265f013ca232',
    name: 'Repellat voluptatem aut.',
    accountNumber: 'BE53586671384412',
    currency: 'EUR',
    balance: '6386.04',
    availableBalance: '6386.04',
    bic: 'GEBABEBB',
    inverseBalanceSign: false,
    inverseTransactionSign: false,
    consentExpiresAt: '2020-10-13'
  })
})

t.test('institution sample', async t => {
  const list = (fixture('financial-institutions.response.json').data as PontoResource[]).map(normalizeInstitution)
  t.equal(list[0]?.name, 'Full Fake Bank')
  t.equal(list[0]?.country, 'XX', 'no country → international')
  t.equal(list[0]?.beta, false)
  t.equal(list[0]?.refreshPolicy, 'automatic')
})

t.test('decimal strings without float arithmetic', async t => {
  const cases: Array<[unknown, string | null]> = [[72.1, '72.10'], [-0.1, '-0.10'], [2.76, '2.76'], [5, '5.00'], [-0, '0.00'], [1e-7, '0.0000001'], [1e21, '1000000000000000000000.00'], [-1.5e-3, '-0.0015'], [123456789.12, '123456789.12'], ['12.5', '12.50'], ['-007.10', '-7.10'], [Number.NaN, null], ['abc', null], [null, null]]
  for (const [input, want] of cases) t.equal(decimalString(input), want, String(input))
})

t.test('dates: the day the bank meant, Brussels midnight included', async t => {
  t.equal(dateOnly('2020-06-19T00:00:00.000Z'), '2020-06-19')
  t.equal(dateOnly('2024-06-18T22:00:00.000Z'), '2024-06-19', 'CEST midnight')
  t.equal(dateOnly('2024-01-17T23:00:00Z'), '2024-01-18', 'CET midnight')
  t.equal(dateOnly('2024-12-31T23:00:00.000Z'), '2025-01-01')
  t.equal(dateOnly('2024-06-18T13:45:00Z'), '2024-06-18')
  t.equal(dateOnly('2024-06-19T00:00:00+02:00'), '2024-06-19')
  t.equal(dateOnly('2024-06-19'), '2024-06-19')
  t.equal(dateOnly('2024-02-30T00:00:00Z'), null)
  t.equal(dateOnly(20240619), null)
})

t.test('errors keep the Ibanity code and request id', async t => {
  const res = (status: number, json: unknown, headers: Record<string, string> = {}) => ({ status, headers, text: JSON.stringify(json), json })
  const invalid = mapApiError(res(401, fixture('error-invalid-access-token.json')))
  t.equal(invalid.kind, 'reauth_required')
  t.equal(invalid.providerCode, 'invalidAccessToken')
  t.equal(invalid.providerRequestId, '00077F000001D3A87F0000011F4066E43AFD1900051', 'from the body when the header is absent')
  t.equal(mapApiError(res(401, fixture('error-invalid-access-token.json'), { 'ibanity-request-id': 'HDR' })).providerRequestId, 'HDR')
  t.equal(mapApiError(res(500, fixture('error-invalid-credentials-with-fi-response.json'))).kind, 'reauth_required')
  const limited = mapApiError(res(429, { errors: [{ code: 'tooManyRequests' }] }, { 'retry-after': '7' }))
  t.equal(limited.kind, 'rate_limited')
  t.equal(limited.retryAfterSeconds, 7)
  t.equal(mapApiError(res(400, { errors: [{ code: 'accountRecentlySynchronized', detail: 'too soon', meta: {} }] })).kind, 'rate_limited')
  t.equal(mapApiError(res(503, { errors: [{ code: 'serviceUnavailable' }] })).kind, 'provider_down')
  t.equal(mapApiError(res(502, 'garbage')).providerCode, 'http_502')
  t.equal(mapTokenError('refresh_token')(res(400, { error: 'invalid_grant' })).kind, 'reauth_required')
  t.equal(mapTokenError('authorization_code')(res(400, { error: 'invalid_grant' })).kind, 'invalid_request')
  t.equal(mapTokenError('client_credentials')(res(401, { error: 'invalid_client' })).kind, 'misconfigured')
  const sync = mapSyncErrors(fixture('synchronization-error.ibanity-xs2a-fixture.json').attributes.errors, 'd57d')
  t.equal(sync.kind, 'reauth_required')
  t.equal(sync.providerCode, 'authorizationInvalid')
  t.ok(!sync.message.includes('undefined'))
})

t.test('settings: clear errors naming the variable, mTLS files read and checked', async t => {
  t.throws(() => pontoCredentialsFromSettings({}), /^PONTO_CLIENT_ID: /)
  t.throws(() => pontoCredentialsFromSettings({ PONTO_CLIENT_ID: 'id' }), /PONTO_CLIENT_SECRET: /)
  t.throws(() => pontoCredentialsFromSettings({ PONTO_CLIENT_ID: 'id', PONTO_CLIENT_SECRET: 's', PONTO_AUTHORIZATION_URL: 'http://evil.example/auth' }), /PONTO_AUTHORIZATION_URL: /)
  t.throws(() => pontoCredentialsFromSettings({ PONTO_CLIENT_ID: 'id', PONTO_CLIENT_SECRET: 's', PONTO_TLS_CERT_PATH: '/nonexistent.pem' }), /PONTO_TLS_KEY_PATH: /)
  t.throws(() => pontoCredentialsFromSettings({ PONTO_CLIENT_ID: 'id', PONTO_CLIENT_SECRET: 's', PONTO_TLS_CERT_PATH: '/nonexistent.pem', PONTO_TLS_KEY_PATH: '/nonexistent.key' }), /PONTO_TLS_CERT_PATH: cannot read/)
  const dir = t.testdir({ 'c.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 'k.pem': '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n', 'x.pem': 'not pem' })
  t.throws(() => pontoCredentialsFromSettings({ PONTO_CLIENT_ID: 'id', PONTO_CLIENT_SECRET: 's', PONTO_TLS_CERT_PATH: `${dir}/x.pem`, PONTO_TLS_KEY_PATH: `${dir}/k.pem` }), /PONTO_TLS_CERT_PATH: expected a PEM/)
  const creds = pontoCredentialsFromSettings({ PONTO_CLIENT_ID: 'id', PONTO_CLIENT_SECRET: 's', PONTO_TLS_CERT_PATH: `${dir}/c.pem`, PONTO_TLS_KEY_PATH: `${dir}/k.pem`, PONTO_TLS_KEY_PASSPHRASE: 'pw' })
  t.equal(creds.authorizationUrl, 'https://authorization.myponto.com/oauth2/auth')
  t.match(creds.tls, { passphrase: 'pw', cert: /BEGIN CERTIFICATE/ })
  t.equal(creds.applicationId, null)
  t.ok(isProviderError(mapApiError({ status: 404, headers: {}, text: '', json: undefined })))
})
