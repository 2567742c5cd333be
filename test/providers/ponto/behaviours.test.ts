/**
 * The sandbox banks' behaviours through the Ponto adapter: manual-only (needs the user present),
 * once a day, PSD2's four unattended synchronizations, consent expiry, and the flaky bank whose
 * 503 / 429 / slow answers the adapter absorbs with bounded retries.
 */
import t from 'tap'
import { Agent } from 'undici'
import { isProviderError } from '../../../providers/errors.js'
import { createPontoAdapter } from '../../../providers/ponto/adapter.js'
import { pontoModule } from '../../../providers/ponto/index.js'
import { buildCatalog, historyOptions } from '../../../providers/ponto/sandbox/data.js'
import { addDays, generateHistory, isoDate } from '../../../providers/sandbox-kit/history.js'
import type { Account } from '../../../providers/types.js'
import { SEED, adapterFor, collect, connect, startSandbox } from './helper.js'

const PSU = { ip: '198.51.100.20', userAgent: 'Mozilla/5.0' }
const DAY = 86_400_000

const failure = async (p: Promise<unknown>) => await p.then(() => { throw new Error('expected a failure') }, (e: unknown) => {
  if (!isProviderError(e)) throw e
  return e
})

t.test('manual-only bank: unattended synchronization fails, with the user present it works', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection, institution } = await connect(adapter, 'manual', 'NL')
  t.equal(institution.refreshPolicy, 'manual_only')
  const account = (await adapter.listAccounts(connection, null)).accounts[0] as Account
  const err = await failure(adapter.refresh(connection, { userPresent: false, psu: null, account }))
  t.equal(err.kind, 'user_action_required')
  t.equal(err.providerCode, 'customerPresenceRequired')
  const today = isoDate(clock.now())
  const req = { account, fromDate: addDays(today, -7), toDate: today, syncState: null, psu: null }
  const unattended = await failure(collect(adapter.syncTransactions(connection, { ...req, userPresent: false })))
  t.equal(unattended.kind, 'user_action_required', 'the scheduler is told the user must be there')
  const present = await adapter.refresh(connection, { userPresent: true, psu: PSU, account })
  t.equal(present.status, 'done')
  const pages = await collect(adapter.syncTransactions(connection, { ...req, userPresent: false }))
  t.ok(pages.length >= 1, 'after a customer-present synchronization the data is served')
})

t.test('daily bank: one synchronization per 24 h (accountRecentlySynchronized)', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection, institution } = await connect(adapter, 'daily', 'FR')
  t.equal(institution.refreshPolicy, 'once_per_day')
  t.equal((await adapter.refresh(connection, { userPresent: true, psu: PSU, account: null })).status, 'done')
  const err = await failure(adapter.refresh(connection, { userPresent: true, psu: PSU, account: null }))
  t.equal(err.kind, 'rate_limited')
  t.equal(err.providerCode, 'accountRecentlySynchronized')
  t.equal(err.httpStatus, 400)
  t.ok(err.providerRequestId)
  clock.advance(DAY + 60_000)
  const next = await adapter.refresh(connection, { userPresent: false, psu: null, account: null })
  t.equal(next.status, 'done')
  t.ok(next.secrets, 'the day-old access token was refreshed and handed back')
})

t.test('PSD2: four unattended synchronizations a day, customer-present ones are not counted', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection } = await connect(adapter, 'ordinary', 'NL')
  const account = (await adapter.listAccounts(connection, null)).accounts[0] as Account
  for (let i = 0; i < 4; i++) t.equal((await adapter.refresh(connection, { userPresent: false, psu: null, account })).status, 'done', `unattended #${i + 1}`)
  const fifth = await failure(adapter.refresh(connection, { userPresent: false, psu: null, account }))
  t.equal(fifth.kind, 'rate_limited')
  t.equal((await adapter.refresh(connection, { userPresent: true, psu: PSU, account })).status, 'done', 'user present still allowed')
})

t.test('consent expiry: the date is known ahead, then re-authorisation is required', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection } = await connect(adapter, 'beta')
  const expiry = await adapter.consentExpiry(connection)
  t.equal(expiry, isoDate(clock.now() + 90 * DAY))
  clock.advance(91 * DAY)
  const err = await failure(adapter.refresh(connection, { userPresent: true, psu: PSU, account: null }))
  t.equal(err.kind, 'reauth_required')
  t.equal(err.providerCode, 'authorizationExpired')
  const account = (await adapter.listAccounts(connection, null)).accounts[0] as Account
  const today = isoDate(clock.now())
  const sync = await failure(collect(adapter.syncTransactions(connection, { account, fromDate: addDays(today, -3), toDate: today, syncState: null, userPresent: true, psu: PSU })))
  t.equal(sync.kind, 'reauth_required', 'no silent stale data after the consent lapsed')
  const again = await connect(adapter, 'beta')
  t.ok((await adapter.consentExpiry(again.connection) ?? '') > (expiry ?? ''), 're-consent renews the authorization')
})

t.test('flaky bank: 503, 429 + Retry-After and slow answers are retried, bounded', async t => {
  const { baseUrl, clock } = await startSandbox(t, { slowMs: 30 })
  let requests = 0
  const counting = new Agent().compose(dispatch => (opts, handler) => { requests++; return dispatch(opts, handler) })
  t.teardown(() => counting.close())
  const sleeps: number[] = []
  const adapter = createPontoAdapter({ baseUrl, now: clock.now, dispatcher: counting, timeoutMs: 10_000 }, pontoModule.sandbox.credentials(baseUrl), { pollDelayMs: 0, sleep: async ms => { sleeps.push(ms) } })
  const { connection } = await connect(adapter, 'flaky')
  const account = (await adapter.listAccounts(connection, null)).accounts[0] as Account
  const today = isoDate(clock.now())
  const before = requests
  const pages = await collect(adapter.syncTransactions(connection, { account, fromDate: addDays(today, -365), toDate: today, syncState: null, userPresent: false, psu: null }))
  const calls = requests - before
  const sandboxAccount = buildCatalog(SEED).accounts.get(account.id)
  if (sandboxAccount === undefined) throw new Error('unknown account')
  const booked = generateHistory(historyOptions(sandboxAccount, clock.now())).filter(x => !x.pending).length
  t.equal(pages.flatMap(p => p.upserts).filter(x => x.status === 'booked').length, booked, 'nothing lost to the failures')
  t.ok(sleeps.length > 0, `${sleeps.length} retries`)
  t.ok(sleeps.includes(1_000), 'Retry-After: 1 honoured')
  t.equal(calls, (pages.length - 1) + 1 + sleeps.length, 'every extra request is one retry (booked pages + the pending list; the last page is the closing one)')
  t.ok(sleeps.every(ms => ms <= 5_000))
})
