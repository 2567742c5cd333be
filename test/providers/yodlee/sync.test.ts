/** Institutions, accounts and transaction sync against the sandbox: paging, signs, dates, pending → posted. */
import t from 'tap'
import { generateHistory, isoDate, addDays, minorToDecimal } from '../../../providers/sandbox-kit/history.js'
import { transactionId } from '../../../providers/yodlee/sandbox/transactions.js'
import type { Account, Connection, NormalizedTransaction, TransactionSyncPage } from '../../../providers/types.js'
import { US, collect, control, link, startSandbox, type Harness } from './harness.js'

async function sync (h: Harness, conn: Connection, account: Account, fromDate: string, toDate = isoDate(h.now())): Promise<{ pages: TransactionSyncPage[], txs: NormalizedTransaction[] }> {
  const pages = await collect(h.adapter.syncTransactions(conn, { account, fromDate, toDate, syncState: null, userPresent: false, psu: null }))
  return { pages, txs: pages.flatMap(p => p.upserts) }
}

t.test('institutions from GET /providers with native flags', async t => {
  const h = await startSandbox(t)
  const us = await h.adapter.listInstitutions('us')
  t.equal(us.length, 7)
  const byId = new Map(us.map(i => [i.id, i]))
  t.match(byId.get(US.ordinary), { name: 'Sandbox Ordinary Bank', country: 'US', historyDays: 730, refreshPolicy: 'automatic', mfa: false, beta: false })
  t.match(byId.get(US.mfa), { mfa: true })
  t.match(byId.get(US.manual), { refreshPolicy: 'manual_only' })
  t.match(byId.get(US.shallow), { historyDays: 90 })
  t.match(byId.get(US.beta), { beta: true })
  t.equal((await h.adapter.listInstitutions()).length, 28)
  const gb = await h.adapter.listInstitutions('GB')
  t.same(gb.map(i => i.name).sort(), us.map(i => i.name).sort(), 'same bank names in every country')
  t.ok(h.requests.includes('GET /providers'))
})

t.test('accounts: two per link, decimal balances, masked numbers', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  const { accounts } = await h.adapter.listAccounts(conn, null)
  t.equal(accounts.length, 2)
  t.same(accounts.map(a => a.name), ['Business Checking', 'Business Savings'])
  for (const a of accounts) {
    t.match(a, { currency: 'USD', accountNumber: /^xxxx\d{4}$/, balance: /^\d+\.\d{2}$/, availableBalance: /^-?\d+\.\d{2}$/, inverseBalanceSign: false, consentExpiresAt: null })
    t.equal(a.id, a.providerAccountId)
  }
})

t.test('full sync: every generated transaction once, signs and dates right, paged by 500', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  const { accounts } = await h.adapter.listAccounts(conn, null)
  const account = accounts[0]
  const today = isoDate(h.now())
  const from = addDays(today, -730)
  h.requests.length = 0
  const { pages, txs } = await sync(h, conn, account, from)
  const expected = generateHistory({ seed: 'yodlee-test-seed|17001|0', currency: 'USD', historyDays: 730, now: h.now() })
  t.ok(expected.length > 1000, `history has ${expected.length} rows`)
  t.equal(txs.length, expected.length)
  t.equal(new Set(txs.map(x => x.id)).size, txs.length, 'no duplicate ids')
  t.ok(pages.every(p => p.pendingIsSnapshot && p.removed.length === 0 && p.syncState === null && p.upserts.length <= 500))
  t.ok(h.requests.filter(r => r === 'GET /transactions').length >= 3, 'read in pages of at most 500')
  const byId = new Map(txs.map(x => [x.id, x]))
  let pending = 0
  for (const e of expected) {
    const yid = transactionId(Number(account.providerAccountId), e.key, !e.pending)
    const got = byId.get(e.pending ? `bank:${yid}:pending` : `bank:${yid}`)
    if (got === undefined) {
      t.fail(`missing ${e.key}`)
      continue
    }
    if (e.pending) pending++
    if (got.amount !== minorToDecimal(e.amountMinor) || got.transactionDate !== e.transactionDate ||
      got.bookingDate !== (e.pending ? null : e.bookingDate) || got.status !== (e.pending ? 'pending' : 'booked') || got.currency !== 'USD') {
      t.fail(`wrong data for ${e.key}: ${JSON.stringify(got)}`)
    }
  }
  t.ok(pending > 0, 'window has pending card payments')
  t.ok(txs.some(x => x.amount.startsWith('-')) && txs.some(x => !x.amount.startsWith('-')), 'both directions')
})

t.test('pending posts: the pending id disappears and a booked entry appears, never both', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  const account = (await h.adapter.listAccounts(conn, null)).accounts[0]
  const from = addDays(isoDate(h.now()), -10)
  const first = (await sync(h, conn, account, from)).txs
  const p = first.find(x => x.status === 'pending')
  if (p === undefined) throw new Error('no pending entry in the window')
  const kit = generateHistory({ seed: 'yodlee-test-seed|17001|0', currency: 'USD', historyDays: 730, now: h.now() }).find(e => e.pending && `bank:${transactionId(Number(account.providerAccountId), e.key, false)}:pending` === p.id)
  if (kit === undefined) throw new Error('pending entry not from the kit')
  h.clock.ms = Date.parse(`${kit.bookingDate}T07:00:00Z`)
  const second = (await sync(h, conn, account, from)).txs
  const ids = new Set(second.map(x => x.id))
  t.notOk(ids.has(p.id), 'pending id gone')
  const bookedId = `bank:${transactionId(Number(account.providerAccountId), kit.key, true)}`
  t.ok(ids.has(bookedId), 'booked entry present')
  const booked = second.find(x => x.id === bookedId)
  t.match(booked, { status: 'booked', amount: p.amount, bookingDate: kit.bookingDate, transactionDate: p.transactionDate })
  t.notOk(second.some(x => x.status === 'booked' && x.id === p.id))
})

t.test('a later sync returns transactions added at the bank; a pending extra posts under a new id', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  const account = (await h.adapter.listAccounts(conn, null)).accounts[1]
  const today = isoDate(h.now())
  const from = addDays(today, -5)
  const before = (await sync(h, conn, account, from)).txs
  const added = await control(h, 'transactions', { account_id: account.providerAccountId, date: today, amount: '-12.30', description: 'Sandbox coffee', pending: false })
  t.equal(added.status, 201)
  const held = await control(h, 'transactions', { account_id: account.providerAccountId, date: today, amount: '250.00', description: 'Incoming hold', pending: true })
  const after = (await sync(h, conn, account, from)).txs
  t.equal(after.length, before.length + 2)
  t.match(after.find(x => x.description === 'Sandbox coffee'), { amount: '-12.30', status: 'booked', bookingDate: today })
  const pendingHold = after.find(x => x.description === 'Incoming hold')
  t.match(pendingHold, { amount: '250.00', status: 'pending', bookingDate: null })
  t.equal((await control(h, 'transactions/post', { account_id: account.providerAccountId, key: held.json.key })).status, 200)
  const posted = (await sync(h, conn, account, from)).txs
  const holds = posted.filter(x => x.description === 'Incoming hold')
  t.equal(holds.length, 1)
  t.equal(holds[0].status, 'booked')
  t.not(holds[0].id, pendingHold?.id)
  t.equal((await control(h, 'transactions', { account_id: '1', date: today, amount: '1.00', description: 'x' })).status, 404)
  t.equal((await control(h, 'transactions', { account_id: account.providerAccountId, date: today, amount: '1.234', description: 'x' })).status, 400)
})

t.test('three-month bank: data only goes back 90 days', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.shallow)
  const account = (await h.adapter.listAccounts(conn, null)).accounts[0]
  const today = isoDate(h.now())
  const { txs } = await sync(h, conn, account, addDays(today, -365))
  t.ok(txs.length > 50)
  const oldest = txs.map(x => x.transactionDate ?? '').sort()[0]
  t.ok(oldest >= addDays(today, -90), `oldest ${oldest}`)
  t.ok(oldest <= addDays(today, -85), 'history really reaches about 90 days back')
})

t.test('empty window: one empty snapshot page', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  const account = (await h.adapter.listAccounts(conn, null)).accounts[0]
  const { pages } = await sync(h, conn, account, '2020-01-01', '2020-01-31')
  t.same(pages, [{ upserts: [], removed: [], pendingIsSnapshot: true, syncState: null }])
})
