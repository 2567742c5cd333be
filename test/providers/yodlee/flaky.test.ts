/** The flaky bank (503 Y902, 429 + Retry-After, slow answers): bounded retries, then complete data. */
import t from 'tap'
import { addDays, generateHistory, isoDate } from '../../../providers/sandbox-kit/history.js'
import { US, collect, link, startSandbox } from './harness.js'

t.test('flaky bank: every failure retried at most twice, sync still complete', async t => {
  const h = await startSandbox(t, { slowMs: 10 })
  const conn = await link(h, US.flaky)
  const { accounts } = await h.adapter.listAccounts(conn, null)
  const account = accounts[0]
  const from = addDays(isoDate(h.now()), -365)
  const pages = await collect(h.adapter.syncTransactions(conn, { account, fromDate: from, toDate: isoDate(h.now()), syncState: null, userPresent: false, psu: null }))
  const txs = pages.flatMap(p => p.upserts)
  const expected = generateHistory({ seed: 'yodlee-test-seed|17007|0', currency: 'USD', historyDays: 365, now: h.now() })
  t.equal(txs.length, expected.length)
  t.equal(new Set(txs.map(x => x.id)).size, txs.length)

  const data = h.responses.filter(r => !r.startsWith('POST') && !r.includes('/fastlink') && !r.startsWith('GET /consents'))
  const failed = data.filter(r => / (503|429)$/.test(r))
  t.ok(failed.some(r => r.endsWith(' 503')), 'saw 503 Y902')
  t.ok(failed.some(r => r.endsWith(' 429')), 'saw 429')
  // Each failure is followed by a retry of the same call; never more than two failures in a row.
  let run = 0
  for (const r of data) {
    run = / (503|429)$/.test(r) ? run + 1 : 0
    t.ok(run <= 2, `at most 3 attempts per call (${r})`)
  }
})
