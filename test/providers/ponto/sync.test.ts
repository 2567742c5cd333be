/**
 * Ponto transaction sync against the sandbox: full history through many pages, a partial window
 * that must not skip rows, pending → booked, control-route extras, late postings, history depth,
 * `page[limit]` validation and synchronizations (not_ready until done).
 */
import t from 'tap'
import { request } from 'undici'
import { isProviderError } from '../../../providers/errors.js'
import { buildCatalog, historyOptions, uuidFrom } from '../../../providers/ponto/sandbox/data.js'
import { addDays, generateHistory, isoDate, minorToDecimal } from '../../../providers/sandbox-kit/history.js'
import type { Account, Connection, NormalizedTransaction, ProviderAdapter, TransactionSyncPage } from '../../../providers/types.js'
import { SEED, adapterFor, collect, connect, startSandbox, type Clock } from './helper.js'

const catalog = buildCatalog(SEED)

async function sync (adapter: ProviderAdapter, conn: Connection, account: Account, fromDate: string, toDate: string, syncState: TransactionSyncPage['syncState'] = null, userPresent = false): Promise<{ pages: TransactionSyncPage[], all: NormalizedTransaction[] }> {
  const pages = await collect(adapter.syncTransactions(conn, { account, fromDate, toDate, syncState, userPresent, psu: null }))
  return { pages, all: pages.flatMap(p => p.upserts) }
}

function expected (accountId: string, clock: Clock) {
  const account = catalog.accounts.get(accountId)
  if (account === undefined) throw new Error('unknown account')
  return generateHistory(historyOptions(account, clock.now()))
}

t.test('full history: every booked row once, right sign and dates, pending as a snapshot', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection } = await connect(adapter, 'ordinary')
  const { accounts } = await adapter.listAccounts(connection, null)
  const account = accounts[0] as Account
  const today = isoDate(clock.now())
  const { pages, all } = await sync(adapter, connection, account, addDays(today, -730), today)
  const history = expected(account.id, clock)
  const bookedKit = history.filter(x => !x.pending)
  const pendingKit = history.filter(x => x.pending)
  const booked = all.filter(x => x.status === 'booked')
  const pending = all.filter(x => x.status === 'pending')
  t.ok(pages.length > 10, `paged (${pages.length} pages)`)
  t.ok(pages.every(p => p.pendingIsSnapshot))
  t.equal(booked.length, bookedKit.length, 'booked count equals the generated history')
  t.equal(pending.length, pendingKit.length, 'pending count equals the generated history')
  t.equal(new Set(all.map(x => x.id)).size, all.length, 'no duplicate ids')
  t.ok(pending.every(x => x.id.startsWith('pending:') && x.bookingDate === null))
  const byId = new Map(all.map(x => [x.id, x]))
  let checked = 0
  for (const k of bookedKit) {
    const got = byId.get(uuidFrom(account.id, k.key, 'booked'))
    if (got === undefined || got.amount !== minorToDecimal(k.amountMinor) || got.bookingDate !== k.bookingDate || got.valueDate !== k.valueDate) break
    checked++
  }
  t.equal(checked, bookedKit.length, 'amount sign, booking date and value date match the bank')
  t.ok(booked.some(x => x.amount.startsWith('-')) && booked.some(x => !x.amount.startsWith('-')))
  t.ok(booked.some(x => x.structuredReference?.startsWith('+++')), 'Belgian structured references kept')
  const last = pages[pages.length - 1] as TransactionSyncPage
  t.match(last.syncState, { v: 1 })
})

t.test('a partial window pages just past fromDate and skips nothing in it', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection } = await connect(adapter, 'ordinary', 'NL')
  const account = (await adapter.listAccounts(connection, null)).accounts[0] as Account
  const today = isoDate(clock.now())
  const from = addDays(today, -45)
  const { pages, all } = await sync(adapter, connection, account, from, today)
  const want = expected(account.id, clock).filter(x => !x.pending && x.bookingDate >= from).map(x => uuidFrom(account.id, x.key, 'booked')).sort()
  t.same(all.filter(x => x.status === 'booked').map(x => x.id).sort(), want, 'exactly the rows of the window')
  t.ok(pages.length <= 4, `stopped early (${pages.length} pages)`)
})

t.test('pending → booked: the pending id disappears, a booked id appears, never both', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection } = await connect(adapter, 'beta')
  const account = (await adapter.listAccounts(connection, null)).accounts[0] as Account
  const today = isoDate(clock.now())
  const first = (await sync(adapter, connection, account, addDays(today, -10), today)).all
  const pending = first.filter(x => x.status === 'pending')
  t.ok(pending.length > 0, 'recent card payments are pending')
  const kit = expected(account.id, clock).filter(x => x.pending)
  clock.advance(3 * 86_400_000)
  const later = isoDate(clock.now())
  const second = (await sync(adapter, connection, account, addDays(later, -10), later)).all
  const ids = new Set(second.map(x => x.id))
  for (const p of pending) t.notOk(ids.has(p.id), `pending ${p.id} gone`)
  for (const k of kit) t.ok(ids.has(uuidFrom(account.id, k.key, 'booked')), 'its booked successor is there')
  t.equal(second.filter(x => x.status === 'booked').length, new Set(second.filter(x => x.status === 'booked').map(x => x.id)).size)
  t.notOk(second.some(x => x.status === 'booked' && x.id.startsWith('pending:')))
})

t.test('control routes: a new transaction shows up in the next sync; a pending one posts', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection } = await connect(adapter, 'ordinary')
  const account = (await adapter.listAccounts(connection, null)).accounts[1] as Account
  const today = isoDate(clock.now())
  const before = (await sync(adapter, connection, account, addDays(today, -5), today)).all
  const add = async (body: object) => await (await request(`${baseUrl}/_control/transactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account_id: account.providerAccountId, date: today, ...body }) })).body.json() as { key: string, id: string }
  const booked = await add({ amount: '-12.30', description: 'Office chairs' })
  const held = await add({ amount: '250.00', description: 'Customer deposit', pending: true })
  const after = (await sync(adapter, connection, account, addDays(today, -5), today)).all
  t.equal(after.length, before.length + 2)
  const chair = after.find(x => x.id === booked.id)
  t.equal(chair?.amount, '-12.30')
  t.equal(chair?.bookingDate, today)
  t.equal(chair?.description, 'Office chairs')
  t.equal(after.find(x => x.id === `pending:${held.id}`)?.amount, '250.00')
  const posted = await request(`${baseUrl}/_control/transactions/post`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account_id: account.providerAccountId, key: held.key }) })
  const postedId = (await posted.body.json() as { id: string }).id
  const last = (await sync(adapter, connection, account, addDays(today, -5), today)).all
  t.notOk(last.some(x => x.id === `pending:${held.id}`))
  t.equal(last.find(x => x.id === postedId)?.status, 'booked')
})

t.test('three-month bank: data goes back 90 days only', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection, institution } = await connect(adapter, 'shallow', 'FR')
  t.equal(institution.historyDays, 90)
  const account = (await adapter.listAccounts(connection, null)).accounts[0] as Account
  const today = isoDate(clock.now())
  const { all } = await sync(adapter, connection, account, addDays(today, -730), today)
  const oldest = all.map(x => x.valueDate ?? '').sort()[0] ?? ''
  t.ok(oldest >= addDays(today, -90), `oldest ${oldest}`)
  t.ok(all.length > 50)
})

t.test('refresh: synchronization not_ready until done, then late postings caught up', async t => {
  const { baseUrl, clock } = await startSandbox(t)
  const frozen = adapterFor(baseUrl, clock, { advanceOnSleep: false })
  const { connection } = await connect(frozen.adapter, 'ordinary')
  const account = (await frozen.adapter.listAccounts(connection, null)).accounts[0] as Account
  const today = isoDate(clock.now())
  const first = await sync(frozen.adapter, connection, account, addDays(today, -20), today)
  const state = first.pages[first.pages.length - 1]?.syncState ?? null
  const late = await (await request(`${baseUrl}/_control/transactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account_id: account.providerAccountId, date: addDays(today, -60), amount: '99.99', description: 'Late posting' }) })).body.json() as { id: string }
  const started = await frozen.adapter.refresh(connection, { userPresent: false, psu: null, account })
  t.equal(started.status, 'started')
  t.same(frozen.sleeps, [2_500], 'polled twice')
  const waiting = await sync(frozen.adapter, connection, account, addDays(today, -20), today, state).catch(e => e)
  t.ok(isProviderError(waiting))
  t.equal(waiting.kind, 'not_ready')
  clock.advance(2_500)
  const { all, pages } = await sync(frozen.adapter, connection, account, addDays(today, -20), today, state)
  t.ok(all.some(x => x.id === late.id), 'a row dated before fromDate arrives through updated-transactions')
  t.equal(new Set(all.map(x => x.id)).size, all.length)
  const next = pages[pages.length - 1]?.syncState
  const again = await sync(frozen.adapter, connection, account, addDays(today, -20), today, next ?? null)
  t.notOk(again.all.some(x => x.id === late.id), 'caught up once')
})

t.test('page[limit] outside 1..100 is refused like Ibanity does', async t => {
  const { baseUrl } = await startSandbox(t)
  for (const limit of ['0', '101', 'ten']) {
    const res = await request(`${baseUrl}/ponto-connect/financial-institutions?page[limit]=${limit}`)
    t.equal(res.statusCode, 400, `limit ${limit}`)
    const body = await res.body.json() as { errors: Array<{ code: string, meta: { requestId: string } }> }
    t.equal(body.errors[0]?.code, 'invalidPageLimit')
    t.equal(res.headers['ibanity-request-id'], body.errors[0]?.meta.requestId)
  }
  const ok = await request(`${baseUrl}/ponto-connect/financial-institutions?page[limit]=100`)
  t.equal(ok.statusCode, 200)
  await ok.body.dump()
})
