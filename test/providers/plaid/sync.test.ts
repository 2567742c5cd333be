/** /transactions/sync against the sandbox: paging, counts, signs, pending -> posted, extras, depth, restarts. */
import t from 'tap'
import { MockAgent } from 'undici'
import { generateHistory, isoDate, addDays } from '../../../providers/sandbox-kit/history.js'
import { decimalToMinor } from '../../../providers/decimal.js'
import { plaidModule } from '../../../providers/plaid/index.js'
import type { Account, NormalizedTransaction } from '../../../providers/types.js'
import { applyRun, countingDispatcher, linkItem, quickItem, START, startSandbox, syncAll, US } from './helpers.js'

const DAY = 86_400_000
const expectedRows = (institution: string, index: number, historyDays: number, now = START): Array<[string, number]> =>
  generateHistory({ seed: `plaid-test|${institution}|${index}`, currency: 'USD', historyDays, now })
    .map(x => [x.pending ? x.transactionDate : x.bookingDate, x.amountMinor] as [string, number]).sort()
const rowsOf = (list: NormalizedTransaction[]): Array<[string, number]> =>
  list.map(x => [x.bookingDate ?? x.transactionDate, decimalToMinor(x.amount)] as [string, number]).sort()

t.test('full sync: pages of 500, counts, signs and dates equal the bank history', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await linkItem(adapter, US.ordinary)
  const { accounts } = await adapter.listAccounts(conn, null)
  const account = accounts[0] as Account
  const run = await syncAll(adapter, conn, account, null)
  const expected = expectedRows(US.ordinary, 0, 730)
  t.ok(expected.length > 1000, `a two-year history (${expected.length} rows)`)
  t.equal(run.upserts.length, expected.length, 'every generated transaction arrives once')
  t.equal(run.pages.length, Math.ceil(expected.length / 500), 'Plaid pages of count=500')
  t.equal(new Set(run.upserts.map(x => x.id)).size, run.upserts.length, 'no duplicate ids')
  t.same(rowsOf(run.upserts), expected, 'same dates and signed amounts as the bank')
  t.ok(run.upserts.every(x => x.accountId === account.id && x.currency === 'USD'))
  t.same(run.removed, [])
  t.ok(run.pages.slice(0, -1).every(p => p.syncState === null && !p.pendingIsSnapshot), 'intermediate pages keep the starting cursor')
  t.type(run.syncState, 'string')
  const pending = run.upserts.filter(x => x.status === 'pending')
  t.ok(pending.length > 0, 'recent card payments are pending')
  t.ok(pending.every(x => x.bookingDate === null && x.transactionDate !== null))
  const other = await syncAll(adapter, conn, accounts[1] as Account, null)
  t.same(rowsOf(other.upserts), expectedRows(US.ordinary, 1, 730), 'the savings account has its own stream')
  t.equal(other.upserts.filter(x => run.upserts.some(y => y.id === x.id)).length, 0)

  const second = await syncAll(adapter, conn, account, run.syncState)
  t.equal(second.upserts.length + second.removed.length, 0, 'nothing new: an empty delta')
})

t.test('pending -> posted: the pending id is removed, a booked entry supersedes it', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await linkItem(adapter, US.ordinary)
  const account = (await adapter.listAccounts(conn, null)).accounts[0] as Account
  const first = await syncAll(adapter, conn, account, null)
  const ledger = applyRun(new Map(), first)
  const pending = first.upserts.filter(x => x.status === 'pending')
  h.clock.t += 3 * DAY
  const second = await syncAll(adapter, conn, account, first.syncState)
  applyRun(ledger, second)
  for (const p of pending) {
    t.ok(second.removed.includes(p.id), `pending ${p.id} removed`)
    const posted = second.upserts.find(x => x.supersedesPendingId === p.id)
    t.equal(posted?.status, 'booked')
    t.equal(posted?.amount, p.amount)
    t.not(posted?.id, p.id)
    t.notOk(ledger.has(p.id))
  }
  t.same(rowsOf([...ledger.values()]), expectedRows(US.ordinary, 0, 733, h.clock.t), 'the ledger equals the bank three days later')
  const superseded = new Set([...ledger.values()].map(x => x.supersedesPendingId).filter(Boolean))
  t.notOk([...ledger.values()].some(x => superseded.has(x.id)), 'never a pending and its posted version together')
})

t.test('control-route transactions: a second sync returns the new one; pending extras post', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await quickItem(h, US.ordinary)
  const account = (await adapter.listAccounts(conn, null)).accounts[0] as Account
  const first = await syncAll(adapter, conn, account, null)
  const today = isoDate(START)
  const add = await h.api('/_control/transactions', { account_id: account.providerAccountId, date: today, amount: '-12.30', description: 'Coffee with the auditor', pending: false })
  t.equal(add.status, 201)
  const second = await syncAll(adapter, conn, account, first.syncState)
  t.equal(second.upserts.length, 1)
  t.match(second.upserts[0], { id: add.body.transaction_id, amount: '-12.30', description: 'Coffee with the auditor', status: 'booked', bookingDate: today })

  const pend = await h.api('/_control/transactions', { account_id: account.providerAccountId, date: today, amount: '250.00', description: 'Incoming wire', pending: true })
  const third = await syncAll(adapter, conn, account, second.syncState)
  t.match(third.upserts, [{ id: pend.body.transaction_id, amount: '250.00', status: 'pending' }])
  const posted = await h.api('/_control/transactions/post', { account_id: account.providerAccountId, key: pend.body.key })
  const fourth = await syncAll(adapter, conn, account, third.syncState)
  t.same(fourth.removed, [pend.body.transaction_id])
  t.match(fourth.upserts, [{ id: posted.body.transaction_id, status: 'booked', amount: '250.00', supersedesPendingId: pend.body.transaction_id }])

  t.equal((await h.api('/_control/transactions', { account_id: 'nope', date: today, amount: '1.00', description: 'x' })).status, 404)
  t.equal((await h.api('/_control/transactions', { account_id: account.providerAccountId, date: '2025-02-30', amount: '1.00', description: 'x' })).status, 400)
  t.equal((await h.api('/_control/transactions', { account_id: account.providerAccountId, date: today, amount: '1.005', description: 'x' })).status, 400)
})

t.test('history depth: the three-month bank gives 90 days; fromDate bounds what is yielded', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await quickItem(h, US.shallow)
  const account = (await adapter.listAccounts(conn, null)).accounts[0] as Account
  const run = await syncAll(adapter, conn, account, null)
  t.same(rowsOf(run.upserts), expectedRows(US.shallow, 0, 90))
  const earliest = run.upserts.map(x => x.transactionDate ?? x.bookingDate as string).sort()[0] as string
  t.ok(earliest >= addDays(isoDate(START), -90), `nothing before ${addDays(isoDate(START), -90)} (earliest ${earliest})`)

  const fromDate = addDays(isoDate(START), -30)
  const bounded = await syncAll(adapter, conn, (await adapter.listAccounts(conn, null)).accounts[1] as Account, null, fromDate)
  t.ok(bounded.upserts.length > 0)
  t.ok(bounded.upserts.every(x => (x.bookingDate ?? x.transactionDate as string) >= fromDate))
  t.same(rowsOf(bounded.upserts), expectedRows(US.shallow, 1, 90).filter(([d]) => d >= fromDate))

  const short = await quickItem(h, US.ordinary, 30)
  const shortRun = await syncAll(adapter, short, (await adapter.listAccounts(short, null)).accounts[0] as Account, null)
  t.same(rowsOf(shortRun.upserts), expectedRows(US.ordinary, 0, 30), 'transactions.days_requested also bounds the history')
  t.match(await h.api('/sandbox/public_token/create', { institution_id: US.ordinary, initial_products: ['transactions'], options: { transactions: { days_requested: 731 } } }), { status: 400, body: { error_code: 'INVALID_FIELD' } })
  t.match(await h.api('/transactions/sync', { access_token: short.secrets.access_token, count: 501 }), { status: 400, body: { error_type: 'INVALID_REQUEST', error_code: 'INVALID_FIELD' } }, 'count is 1-500')
  t.match(await h.api('/transactions/sync', { access_token: short.secrets.access_token, cursor: 'bm9wZQ' }), { status: 400, body: { error_code: 'INVALID_FIELD' } }, 'a cursor from elsewhere is refused')
})

t.test('data changing between pages: TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION restarts the loop', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const counter = countingDispatcher()
  const adapter = h.adapter({ dispatcher: counter.dispatcher })
  const conn = await quickItem(h, US.ordinary)
  const account = (await adapter.listAccounts(conn, null)).accounts[0] as Account
  const pages = []
  const it = adapter.syncTransactions(conn, { account, fromDate: '2000-01-01', toDate: '2099-12-31', syncState: null, userPresent: false, psu: null })[Symbol.asyncIterator]()
  const firstPage = await it.next()
  pages.push(firstPage.value)
  const extra = await h.api('/_control/transactions', { account_id: account.providerAccountId, date: isoDate(START), amount: '-99.99', description: 'Arrived mid-sync' })
  for (let r = await it.next(); r.done !== true; r = await it.next()) pages.push(r.value)
  const expected = expectedRows(US.ordinary, 0, 730).length + 1
  t.equal(counter.counts.get('/transactions/sync'), 1 + 1 + Math.ceil(expected / 500), 'page 1, the failed page 2, then the whole loop again')
  const ledger = applyRun(new Map(), { pages, upserts: [], removed: [], syncState: null })
  t.equal(ledger.size, expected)
  t.ok(ledger.has(extra.body.transaction_id))
  t.type(pages.at(-1)?.syncState, 'string')
})

t.test('restart keeps the ledger exact when a pending row vanished mid-loop (scripted Plaid)', async t => {
  const mock = new MockAgent()
  mock.disableNetConnect()
  const pool = mock.get('https://plaid.test')
  const tx = (id: string, pending: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ account_id: 'A', transaction_id: id, amount: 10, date: '2025-03-01', pending, name: id, iso_currency_code: 'USD', ...extra })
  const page = (body: Record<string, unknown>): Record<string, unknown> => ({ added: [], modified: [], removed: [], accounts: [], request_id: 'r', transactions_update_status: 'HISTORICAL_UPDATE_COMPLETE', ...body })
  pool.intercept({ path: '/transactions/sync', method: 'POST' }).reply(200, page({ added: [tx('P', true), tx('X', false)], has_more: true, next_cursor: 'c1' }))
  pool.intercept({ path: '/transactions/sync', method: 'POST' }).reply(400, { error_type: 'TRANSACTIONS_ERROR', error_code: 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION', error_message: 'changed', request_id: 'r2' })
  pool.intercept({ path: '/transactions/sync', method: 'POST' }).reply(200, page({ added: [tx('Q', false, { pending_transaction_id: 'P' })], modified: [tx('OLD', false)], removed: [{ transaction_id: 'GONE', account_id: 'A' }], has_more: false, next_cursor: 'c-final' }))
  const adapter = plaidModule.createAdapter({ baseUrl: 'https://plaid.test', dispatcher: mock }, plaidModule.sandbox.credentials('https://plaid.test'))
  const account: Account = { id: 'A', providerAccountId: 'A', name: 'x', accountNumber: null, currency: 'USD', balance: null, availableBalance: null, bic: null, inverseBalanceSign: false, inverseTransactionSign: false, consentExpiresAt: null }
  const run = await syncAll(adapter, { provider: 'plaid', institutionId: 'i', secrets: { access_token: 'access-sandbox-x' } }, account, 'c0')
  t.same(run.pages.map(p => p.upserts.map(u => u.id)), [['P', 'X'], ['Q', 'OLD']])
  t.same(run.pages[0]?.removed, [], 'no removal before the loop completes')
  t.same(new Set(run.removed), new Set(['P', 'X', 'GONE']), 'P superseded, X only existed in the aborted pass, GONE removed')
  t.equal(run.syncState, 'c-final')
  t.same(run.pages[0]?.syncState, 'c0')
  mock.assertNoPendingInterceptors()
})
