/**
 * Enable Banking accounts and transaction sync against the sandbox over loopback: paging, counts
 * against the generated history, pending → booked, control-route transactions, history depth, and
 * the bank behaviours (manual, daily, unattended limit, flaky).
 */
import t from 'tap'
import { request } from 'undici'
import { bookedBalanceMinor, generateHistory, minorToDecimal, openingBalanceMinor } from '../../../providers/sandbox-kit/history.js'
import type { Account, Connection } from '../../../providers/types.js'
import { catchError, DAY, SEED, institution, isoDay, link, PSU, startHarness, syncAll, type Harness } from './helpers.js'

function toMinor (amount: string): number {
  const [i, f = ''] = amount.replace('-', '').split('.')
  const v = Number(i) * 100 + Number(f.padEnd(2, '0'))
  return amount.startsWith('-') ? -v : v
}

async function linked (h: Harness, behaviour: string, country = 'FI'): Promise<{ conn: Connection, accounts: Account[] }> {
  const conn = await link(h, institution(behaviour, country), { otp: behaviour === 'mfa' ? '123456' : undefined })
  const { accounts } = await h.adapter.listAccounts(conn, PSU)
  return { conn, accounts }
}

async function control (h: Harness, path: string, body: object): Promise<any> {
  const res = await request(`${h.baseUrl}/_control/${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  const json = await res.body.json()
  if (res.statusCode !== 200) throw new Error(`control ${path}: ${res.statusCode} ${JSON.stringify(json)}`)
  return json
}

t.test('full sync with paging equals the generated history: counts, ids, signs, dates, balance', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const { conn, accounts } = await linked(h, 'ordinary')
  const account = accounts[0] as Account
  const opts = { seed: `${SEED}|Sandbox Ordinary Bank|FI|0`, currency: 'EUR', historyDays: 730, now: h.clock.now() }
  const history = generateHistory(opts)
  const today = isoDay(h.clock.now())
  const { pages, txs } = await syncAll(h.adapter, conn, account, { fromDate: isoDay(h.clock.now() - 800 * DAY), toDate: today, userPresent: true, psu: PSU })
  t.equal(txs.length, history.length, 'every generated transaction, once')
  t.equal(pages, Math.ceil(history.length / 50), 'pages of 50')
  t.equal(new Set(txs.map(x => x.id)).size, txs.length, 'no duplicate ids')
  const pending = txs.filter(x => x.status === 'pending')
  t.equal(pending.length, history.filter(x => x.pending).length)
  t.ok(pending.length > 0, 'recent card payments are pending')
  for (const p of pending) {
    t.equal(p.bookingDate, null)
    t.match(p.id, /^pdng:h:[0-9a-f]{32}:\d+$/)
  }
  const booked = txs.filter(x => x.status === 'booked')
  t.ok(booked.every(x => /^ref:\d{8}[0-9A-F]{12}$/.test(x.id) && /^\d{4}-\d{2}-\d{2}$/.test(x.bookingDate ?? '')))
  t.ok(txs.every(x => x.accountId === account.id && x.currency === 'EUR' && /^-?\d+\.\d{2}$/.test(x.amount)))
  t.equal(txs.filter(x => x.amount.startsWith('-')).length, history.filter(x => x.amountMinor < 0).length, 'debits are negative')
  const bookedSum = booked.reduce((s, x) => s + toMinor(x.amount), 0)
  t.equal(bookedSum, bookedBalanceMinor(opts) - openingBalanceMinor(opts.seed), 'booked amounts add up to the balance movement')
  t.equal(account.balance, minorToDecimal(bookedBalanceMinor(opts)), 'balance is the booked (CLBD) balance')
  // Re-fetching the same window gives the same ids.
  const again = await syncAll(h.adapter, conn, account, { fromDate: isoDay(h.clock.now() - 800 * DAY), toDate: today, userPresent: true, psu: PSU })
  t.same(again.txs.map(x => x.id), txs.map(x => x.id))
  // A card payment: counterparty is the creditor, the merchant name is set.
  const card = booked.find(x => x.details.merchant_category_code !== undefined)
  t.ok(card?.amount.startsWith('-'))
  t.equal(card?.merchantName, card?.counterparty?.name)
})

t.test('pending → booked when the clock passes the booking day: the pending id disappears, one booked entry appears', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const { conn, accounts } = await linked(h, 'ordinary', 'BE')
  const account = accounts[0] as Account
  const fromDate = isoDay(h.clock.now() - 20 * DAY)
  const before = await syncAll(h.adapter, conn, account, { fromDate, toDate: isoDay(h.clock.now()), userPresent: true, psu: PSU })
  const pending = before.txs.filter(x => x.status === 'pending')
  t.ok(pending.length > 0)
  h.clock.advance(3 * DAY)
  const after = await syncAll(h.adapter, conn, account, { fromDate, toDate: isoDay(h.clock.now()), userPresent: true, psu: PSU })
  const ids = new Set(after.txs.map(x => x.id))
  for (const p of pending) {
    t.notOk(ids.has(p.id), 'the pending id is gone')
    const posted = after.txs.filter(x => x.status === 'booked' && x.amount === p.amount && x.transactionDate === p.transactionDate && x.description === p.description)
    t.equal(posted.length, 1, 'exactly one booked entry replaces it')
    t.not(posted[0]?.id, p.id)
  }
  t.equal(new Set(after.txs.map(x => x.id)).size, after.txs.length)
})

t.test('control routes: a new transaction shows on the next sync; a pending one posts', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const { conn, accounts } = await linked(h, 'ordinary', 'SE')
  const account = accounts[1] as Account
  const window = { fromDate: isoDay(h.clock.now() - 5 * DAY), toDate: isoDay(h.clock.now()), userPresent: true, psu: PSU }
  const first = await syncAll(h.adapter, conn, account, window)
  const added = await control(h, 'transactions', { account_id: account.providerAccountId, date: isoDay(h.clock.now()), amount: '-12.30', description: 'Team coffee', pending: false })
  const held = await control(h, 'transactions', { account_id: account.providerAccountId, date: isoDay(h.clock.now()), amount: '250.00', description: 'Incoming payment', pending: true })
  const second = await syncAll(h.adapter, conn, account, window)
  t.equal(second.txs.length, first.txs.length + 2)
  const coffee = second.txs.find(x => x.description === 'Team coffee')
  t.same({ amount: coffee?.amount, status: coffee?.status, id: coffee?.id, currency: coffee?.currency }, { amount: '-12.30', status: 'booked', id: `ref:${added.entry_reference as string}`, currency: 'SEK' })
  const incoming = second.txs.find(x => x.description === 'Incoming payment')
  t.equal(incoming?.status, 'pending')
  t.equal(incoming?.amount, '250.00')
  await control(h, 'transactions/post', { account_id: account.providerAccountId, key: held.key })
  const third = await syncAll(h.adapter, conn, account, window)
  const posted = third.txs.filter(x => x.description === 'Incoming payment')
  t.equal(posted.length, 1)
  t.equal(posted[0]?.status, 'booked')
  t.not(posted[0]?.id, incoming?.id)
})

t.test('three-month bank: a deep window only returns the 90 days the bank has, without an error', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const { conn, accounts } = await linked(h, 'shallow')
  const history = generateHistory({ seed: `${SEED}|Sandbox Three Months Bank|FI|0`, currency: 'EUR', historyDays: 90, now: h.clock.now() })
  const { txs } = await syncAll(h.adapter, conn, accounts[0] as Account, { fromDate: isoDay(h.clock.now() - 400 * DAY), toDate: isoDay(h.clock.now()), userPresent: true, psu: PSU })
  t.equal(txs.length, history.length)
  const earliest = isoDay(h.clock.now() - 90 * DAY)
  t.ok(txs.every(x => (x.bookingDate ?? x.transactionDate ?? '') >= earliest))
})

t.test('manual-only bank: unattended calls are refused with PSU_HEADER_NOT_PROVIDED, attended ones work', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const { conn, accounts } = await linked(h, 'manual')
  t.equal(accounts.length, 2)
  const err = await catchError(h.adapter.listAccounts(conn, null))
  t.equal(err.kind, 'user_action_required')
  t.equal(err.providerCode, 'PSU_HEADER_NOT_PROVIDED')
  t.equal(err.httpStatus, 422)
  const window = { fromDate: isoDay(h.clock.now() - 5 * DAY), toDate: isoDay(h.clock.now()) }
  const syncErr = await catchError(syncAll(h.adapter, conn, accounts[0] as Account, { ...window, userPresent: false, psu: null }))
  t.equal(syncErr.kind, 'user_action_required')
  const ok = await syncAll(h.adapter, conn, accounts[0] as Account, { ...window, userPresent: true, psu: PSU })
  t.ok(ok.txs.length > 0)
})

t.test('daily bank: one unattended transactions read per 24 h, ASPSP_RATE_LIMIT_EXCEEDED with Retry-After after that', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const { conn, accounts } = await linked(h, 'daily')
  const account = accounts[0] as Account
  const window = () => ({ fromDate: isoDay(h.clock.now() - 3 * DAY), toDate: isoDay(h.clock.now()), userPresent: false, psu: null })
  t.same(await h.adapter.refresh(conn, { userPresent: false, psu: null, account }), { status: 'done' })
  await syncAll(h.adapter, conn, account, window())
  h.clock.advance(3_600_000)
  const before = h.hits.length
  const err = await catchError(syncAll(h.adapter, conn, account, window()))
  t.equal(err.kind, 'rate_limited')
  t.equal(err.providerCode, 'ASPSP_RATE_LIMIT_EXCEEDED')
  t.equal(err.httpStatus, 429)
  t.equal(err.retryAfterSeconds, 23 * 3600, 'Retry-After until the first read leaves the 24 h window')
  t.equal(h.hits.length - before, 1, 'a long Retry-After is not waited for')
  const attended = await syncAll(h.adapter, conn, account, { ...window(), userPresent: true, psu: PSU })
  t.ok(attended.txs.length > 0, 'the user present is not limited')
  h.clock.advance(23 * 3600_000 + 1000)
  t.ok((await syncAll(h.adapter, conn, account, window())).txs.length > 0, 'a new day allows a new read')
})

t.test('ordinary bank: 4 unattended reads per account per 24 h; continuation pages do not count', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const { conn, accounts } = await linked(h, 'ordinary')
  const account = accounts[0] as Account
  const window = { fromDate: isoDay(h.clock.now() - 200 * DAY), toDate: isoDay(h.clock.now()), userPresent: false, psu: null }
  for (let i = 0; i < 4; i++) t.ok((await syncAll(h.adapter, conn, account, window)).pages > 1)
  const err = await catchError(syncAll(h.adapter, conn, account, window))
  t.equal(err.kind, 'rate_limited')
  t.ok((await syncAll(h.adapter, conn, accounts[1] as Account, window)).txs.length > 0, 'the limit is per account')
  // Balances are their own scope: listing accounts unattended still works, and degrades to no balance once spent.
  for (let i = 0; i < 4; i++) t.ok((await h.adapter.listAccounts(conn, null)).accounts[0]?.balance !== null)
  const spent = await h.adapter.listAccounts(conn, null)
  t.equal(spent.accounts[0]?.balance, null, 'a spent balances allowance does not hide the accounts')
})

t.test('flaky bank: 500 and 429 + Retry-After are retried, never more than 3 attempts per call', async t => {
  const h = await startHarness({ slowMs: 50 })
  t.teardown(h.close)
  const { conn, accounts } = await linked(h, 'flaky')
  const account = accounts[0] as Account
  const window = { fromDate: isoDay(h.clock.now() - 7 * DAY), toDate: isoDay(h.clock.now()), userPresent: true, psu: PSU }
  const attempts: number[] = []
  for (let i = 0; i < 5; i++) {
    const before = h.hits.filter(x => x.path.endsWith('/transactions')).length
    const res = await syncAll(h.adapter, conn, account, window)
    t.equal(res.pages, 1)
    attempts.push(h.hits.filter(x => x.path.endsWith('/transactions')).length - before)
  }
  // Calls 2..11 of this account: ok | 500,ok | 429,500,slow | ok | 500,429,ok (the first call was the balance read).
  t.same(attempts, [1, 2, 3, 1, 3])
})

t.test('continuation keys are bound to their session and account', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const a = await linked(h, 'ordinary')
  const b = await linked(h, 'ordinary', 'BE')
  const { createClient } = await import('../../../providers/enablebanking/client.js')
  const { enablebankingModule } = await import('../../../providers/enablebanking/index.js')
  const client = createClient({ baseUrl: h.baseUrl, now: h.clock.now }, enablebankingModule.sandbox.credentials(h.baseUrl))
  const uidA = a.accounts[0]?.providerAccountId as string
  const page = await client.get<{ continuation_key: string }>(`/accounts/${uidA}/transactions`, { date_from: isoDay(h.clock.now() - 300 * DAY), strategy: 'longest' }, PSU)
  t.type(page.continuation_key, 'string')
  const next = await client.get<{ transactions: unknown[] }>(`/accounts/${uidA}/transactions`, { continuation_key: page.continuation_key }, PSU)
  t.equal(next.transactions.length, 50)
  const err = await catchError(client.get(`/accounts/${b.accounts[0]?.providerAccountId as string}/transactions`, { continuation_key: page.continuation_key }, PSU))
  t.equal(err.providerCode, 'WRONG_CONTINUATION_KEY')
  t.equal(err.kind, 'invalid_request')
  const tampered = await catchError(client.get(`/accounts/${uidA}/transactions`, { continuation_key: `${page.continuation_key.slice(0, -2)}00` }, PSU))
  t.equal(tampered.providerCode, 'WRONG_CONTINUATION_KEY')
  const deep = await catchError(client.get(`/accounts/${uidA}/transactions`, { date_from: isoDay(h.clock.now() - 900 * DAY) }, PSU))
  t.equal(deep.providerCode, 'WRONG_TRANSACTIONS_PERIOD', 'the default strategy refuses a period deeper than the bank keeps')
})
