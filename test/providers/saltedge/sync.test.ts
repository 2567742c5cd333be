/**
 * Salt Edge institutions, accounts and transaction sync against the sandbox: counts equal the
 * kit's history, paging, signs and dates, pending → posted, control-route extras, history depth.
 */
import t from 'tap'
import { bookedBalanceMinor, generateHistory, minorToDecimal } from '../../../providers/sandbox-kit/history.js'
import { DAY, adapterFor, connect, control, iso, startSandbox, syncAll } from './helpers.js'

const key = (x: { transactionDate: string | null, bookingDate: string | null, amount: string }): string => `${x.transactionDate}|${x.bookingDate}|${x.amount}`

t.test('institutions carry the native provider fields', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const be = await adapter.listInstitutions('BE')
  t.equal(be.length, 7)
  const by = Object.fromEntries(be.map(i => [i.id, i]))
  t.match(by.sandbox_ordinary_bank_be, { name: 'Sandbox Ordinary Bank', country: 'BE', bic: 'ORDIBESB', historyDays: 730, refreshPolicy: 'automatic', mfa: false, consentDays: 180, beta: false })
  t.match(by.sandbox_manual_bank_be, { refreshPolicy: 'manual_only' })
  t.match(by.sandbox_daily_bank_be, { refreshPolicy: 'once_per_day' })
  t.match(by.sandbox_mfa_bank_be, { mfa: true })
  t.match(by.sandbox_shallow_bank_be, { historyDays: 90 })
  t.match((await adapter.listInstitutions('GB'))[0], { country: 'GB', consentDays: 90 })
  const xf = await adapter.listInstitutions('XF')
  t.equal(xf.length, 7, 'fake providers listed with include_sandboxes')
  t.equal(xf[0]?.consentDays, null, 'fake providers: no consent limit')
  t.equal((await adapter.listInstitutions()).length, 28, 'all real-country providers, no fake ones')
})

t.test('accounts: two per consent with balances from the kit', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_ordinary_bank_be')
  const { accounts } = await adapter.listAccounts(conn, null)
  t.equal(accounts.length, 2)
  const [cur, sav] = accounts
  t.match(cur, { name: 'Current account', currency: 'EUR', bic: 'ORDIBESB', accountNumber: /^BE\d{18}$/, consentExpiresAt: iso(sb.clock.now() + 180 * DAY), inverseBalanceSign: false })
  t.match(sav, { name: 'Savings account', currency: 'EUR' })
  const expected = bookedBalanceMinor({ seed: 'test-seed|sandbox_ordinary_bank_be|0', currency: 'EUR', historyDays: 730, now: sb.clock.now() })
  t.equal(cur?.balance, minorToDecimal(expected), 'balance as a decimal string')
  const gb = await connect(adapter, 'sandbox_ordinary_bank_gb')
  t.equal((await adapter.listAccounts(gb, null)).accounts[0]?.currency, 'GBP')
})

t.test('full sync equals the generated history; paging, signs, dates, unique ids', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_ordinary_bank_be')
  const account = (await adapter.listAccounts(conn, null)).accounts[0]
  if (account === undefined) throw new Error('no account')
  const today = iso(sb.clock.now())
  const from = iso(sb.clock.now() - 730 * DAY)
  const history = generateHistory({ seed: 'test-seed|sandbox_ordinary_bank_be|0', currency: 'EUR', historyDays: 730, now: sb.clock.now() })
  const before = sb.hits.filter(h => h.endsWith('/transactions')).length
  const { pages, txs } = await syncAll(adapter, conn, account, from, today)
  t.ok(sb.hits.filter(h => h.endsWith('/transactions')).length - before >= 3, 'posted list took several pages, then the pending list')
  t.ok(pages.length >= 2)
  t.ok(pages.every(p => p.pendingIsSnapshot && p.removed.length === 0))
  const booked = txs.filter(x => x.status === 'booked')
  const pending = txs.filter(x => x.status === 'pending')
  const expBooked = history.filter(h => !h.pending)
  const expPending = history.filter(h => h.pending)
  t.ok(expBooked.length > 1000, `a realistic history (${expBooked.length})`)
  t.equal(booked.length, expBooked.length, 'every posted transaction, once')
  t.equal(pending.length, expPending.length, 'every pending transaction')
  t.equal(new Set(txs.map(x => x.id)).size, txs.length, 'no duplicate ids')
  t.same(booked.map(key).sort(), expBooked.map(h => key({ transactionDate: h.transactionDate, bookingDate: h.bookingDate, amount: minorToDecimal(h.amountMinor) })).sort(), 'amounts (signed) and dates match the bank')
  t.same(pending.map(x => `${x.transactionDate}|${x.amount}`).sort(), expPending.map(h => `${h.transactionDate}|${minorToDecimal(h.amountMinor)}`).sort())
  t.ok(pending.every(x => x.id.startsWith('pending:') && x.bookingDate === null && x.providerTransactionId === null))
  t.ok(booked.every(x => x.id === x.providerTransactionId && /^\d{19}$/.test(x.id)))
  const out = booked.find(x => x.amount.startsWith('-'))
  t.ok(out !== undefined && out.counterparty?.name !== null, 'debits carry the payee')
  t.ok(booked.some(x => !x.amount.startsWith('-') && x.counterparty?.iban !== null), 'credits carry the payer IBAN')
})

t.test('pending → posted: pending ids are stable per content, gone once posted, never reused as booked', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_ordinary_bank_fr')
  const account = (await adapter.listAccounts(conn, null)).accounts[0]
  if (account === undefined) throw new Error('no account')
  const from = iso(sb.clock.now() - 30 * DAY)
  const first = (await syncAll(adapter, conn, account, from, iso(sb.clock.now()))).txs
  const pending1 = first.filter(x => x.status === 'pending')
  t.ok(pending1.length > 0, `there are pending card payments (${pending1.length})`)
  sb.clock.advance(61 * 60_000)
  await adapter.refresh(conn, { userPresent: false, psu: null, account: null })
  const second = (await syncAll(adapter, conn, account, from, iso(sb.clock.now()))).txs
  t.same(second.filter(x => x.status === 'pending').map(x => x.id).sort(), pending1.map(x => x.id).sort(), 'same pending ids although Salt Edge re-created them')

  sb.clock.advance(3 * DAY)
  const third = (await syncAll(adapter, conn, account, from, iso(sb.clock.now()))).txs
  const ids3 = new Set(third.map(x => x.id))
  t.ok(pending1.every(p => !ids3.has(p.id)), 'old pending ids are absent from the new snapshot')
  const booked3 = third.filter(x => x.status === 'booked')
  for (const p of pending1) {
    t.ok(booked3.some(b => b.transactionDate === p.transactionDate && b.amount === p.amount && b.bookingDate !== null), `posted: ${p.transactionDate} ${p.amount}`)
  }
  t.ok(booked3.every(b => !b.id.startsWith('pending:')))
})

t.test('control route: a new transaction appears on the next sync; a pending extra posts', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_ordinary_bank_de')
  const account = (await adapter.listAccounts(conn, null)).accounts[1]
  if (account === undefined) throw new Error('no account')
  const today = iso(sb.clock.now())
  const from = iso(sb.clock.now() - 10 * DAY)
  const before = (await syncAll(adapter, conn, account, from, today)).txs
  const added = await control(sb, '/_control/transactions', { account_id: account.providerAccountId, date: today, amount: '-12.30', description: 'Office chair', pending: false })
  t.equal(added.status, 200)
  const after = (await syncAll(adapter, conn, account, from, today)).txs
  t.equal(after.length, before.length + 1)
  const extra = after.find(x => x.description === 'Office chair')
  t.match(extra, { amount: '-12.30', status: 'booked', bookingDate: today, transactionDate: today, currency: 'EUR' })

  const p = await control(sb, '/_control/transactions', { account_id: account.providerAccountId, date: today, amount: '45', description: 'Refund pending', pending: true })
  const s1 = (await syncAll(adapter, conn, account, from, today)).txs.filter(x => x.description === 'Refund pending')
  t.match(s1, [{ status: 'pending', amount: '45.00' }])
  t.equal((await control(sb, '/_control/transactions/post', { account_id: account.providerAccountId, key: p.json.key })).status, 200)
  const s2 = (await syncAll(adapter, conn, account, from, today)).txs.filter(x => x.description === 'Refund pending')
  t.match(s2, [{ status: 'booked', amount: '45.00' }])
  t.not(s2[0]?.id, s1[0]?.id, 'the posted entry has its own id')
  t.equal((await control(sb, '/_control/transactions', { account_id: 'nope', date: today, amount: '1', description: 'x' })).status, 404)
  t.equal((await control(sb, '/_control/transactions', { account_id: account.providerAccountId, date: today, amount: '1.234', description: 'x' })).status, 400)
})

t.test('three-month bank: history only goes back 90 days', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_shallow_bank_be')
  const account = (await adapter.listAccounts(conn, null)).accounts[0]
  if (account === undefined) throw new Error('no account')
  const txs = (await syncAll(adapter, conn, account, iso(sb.clock.now() - 730 * DAY), iso(sb.clock.now()))).txs
  const earliest = txs.map(x => x.transactionDate as string).sort()[0]
  t.ok(earliest !== undefined && earliest >= iso(sb.clock.now() - 90 * DAY), `earliest ${earliest}`)
  t.ok(earliest !== undefined && earliest <= iso(sb.clock.now() - 85 * DAY), 'and does go back about that far')
})

t.test('the sync window is applied to what Salt Edge lists', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_beta_bank_gb')
  const account = (await adapter.listAccounts(conn, null)).accounts[0]
  if (account === undefined) throw new Error('no account')
  const from = iso(sb.clock.now() - 20 * DAY)
  const to = iso(sb.clock.now() - 10 * DAY)
  const txs = (await syncAll(adapter, conn, account, from, to)).txs
  t.ok(txs.length > 0)
  t.ok(txs.every(x => [x.bookingDate, x.transactionDate].some(d => d !== null && d >= from && d <= to)))
})
