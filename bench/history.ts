/**
 * history: a 100,000-transaction history pulled page by page through `/proxy/v1/transactions`, as
 * Odoo pulls it (one request at a time, following next_data, each freshly signed), while the broker's
 * resident memory is sampled from /proc. The sandbox banks hold about 1,500 lines per account, so
 * the account's ledger is topped up to 100,000 booked lines (clones of the synced ones, new ids)
 * through the broker's own ledger code before the pull; the sync path is not part of this figure.
 */
import type { Durations } from './cli-args.js'
import { startBroker, type BrokerUnderTest } from './broker/harness.js'
import { callBroker, consentSandboxBank, registerClients } from './broker/clients.js'
import type { OdooCredentials } from './broker/signed.js'
import { PAGE, primeClient, transactionsRequest } from './broker/transactions.js'
import { memoryOf } from './processes.js'
import { createLedger } from '../src/ledger/store.js'
import { fmt1, fmtInt, verdictOf, type BenchResult } from './report.js'

export const HISTORY_LINES = 100_000
/**
 * The broker runs with a small heap: an idle broker uses about 31 MB of it, and 100,000 decoded
 * ledger entries alone weigh 89 MB more (122 MB of RSS; their JSON another 83 MB), measured on
 * Plaid-normalised clones. A broker that held the history instead of one page would exhaust the
 * 96 MB cap and fail the pull; a page-at-a-time broker stays near its idle RSS (about 150 MB with
 * every module loaded), far below 256 MB.
 */
const HEAP_CAP_MB = 96
const MAX_PEAK_MB = 256
const SEED_BATCH = 1_000
const MAX_PAGES = Math.ceil(HISTORY_LINES / PAGE) + 10
const SAMPLE_MS = 20

/** Tops the ledger up to `total` booked lines by cloning the ones the first sync stored. */
async function seedLedger (b: BrokerUnderTest, c: OdooCredentials, accountId: string, total: number): Promise<{ synced: number, stored: number }> {
  const ledger = createLedger(b.control.services, c.dbUuid, c.clientId, accountId)
  const synced = (await ledger.page('booked', null, 0, total)).entries
  if (synced.length === 0) throw new Error('the first sync stored no booked line')
  const gen = Number((await ledger.meta()).gen ?? 1)
  for (let i = synced.length; i < total; i += SEED_BATCH) {
    const batch = []
    for (let k = i; k < Math.min(total, i + SEED_BATCH); k++) {
      const tx = (synced[k % synced.length] as typeof synced[number]).tx
      batch.push({ ...tx, id: `${tx.id}-h${k}`, providerTransactionId: `${tx.providerTransactionId ?? tx.id}-h${k}`, supersedesPendingId: null })
    }
    await ledger.apply(batch, [], gen)
  }
  return { synced: synced.length, stored: await b.control.services.redis.zcard(ledger.keys.booked) }
}

interface Pull { pages: number, lines: number, seconds: number, maxSampledRss: number, error: string | null }

async function pullHistory (b: BrokerUnderTest, c: OdooCredentials, accountId: string): Promise<Pull> {
  let maxSampledRss = 0
  const sampler = setInterval(() => { maxSampledRss = Math.max(maxSampledRss, memoryOf(b.server.pid).rss) }, SAMPLE_MS)
  const started = process.hrtime.bigint()
  let pages = 0
  let lines = 0
  let nextData: unknown = null
  let error: string | null = null
  try {
    do {
      const page = await callBroker(b, transactionsRequest(c, accountId, nextData))
      if (page.result === undefined) { error = `page ${pages + 1}: ${JSON.stringify(page.error)}`; break }
      lines += (page.result.transactions as unknown[]).length
      nextData = page.result.next_data
      pages++
    } while (nextData !== null && pages < MAX_PAGES)
  } finally {
    clearInterval(sampler)
  }
  return { pages, lines, seconds: Number(process.hrtime.bigint() - started) / 1e9, maxSampledRss, error }
}

const mb = (bytes: number): number => bytes / (1024 * 1024)

/** Not shortened by --quick: the figure is about the size of the history, not about time. */
export async function runHistoryBench (_d: Durations): Promise<BenchResult> {
  const b = await startBroker(`--max-old-space-size=${HEAP_CAP_MB}`)
  try {
    const link = await consentSandboxBank(b, 'plaid', 'US', 'Sandbox Ordinary Bank')
    const [client] = await registerClients(b, link, 1) as [OdooCredentials]
    const { accountId } = await primeClient(b, client, null)
    const seedStarted = Date.now()
    const { synced, stored } = await seedLedger(b, client, accountId, HISTORY_LINES)
    const seedSeconds = (Date.now() - seedStarted) / 1000
    const before = memoryOf(b.server.pid)
    const pull = await pullHistory(b, client, accountId)
    const after = memoryOf(b.server.pid)
    const peak = Math.max(after.peak, pull.maxSampledRss)
    const ratio = peak / before.rss
    const notes = [
      `ledger topped up to ${fmtInt(stored)} booked lines in ${fmt1(seedSeconds)} s (clones of the ${fmtInt(synced)} lines synced from Plaid "Sandbox Ordinary Bank", new ids) by a second app instance in the load process, so the broker's own memory holds none of it`,
      `${fmtInt(pull.pages)} pages of ${PAGE}, one request at a time, each freshly signed; RSS of the broker process from /proc every ${SAMPLE_MS} ms (max sampled ${fmt1(mb(pull.maxSampledRss))} MB) and VmHWM (lifetime peak, start-up included)`,
      `broker heap capped at ${HEAP_CAP_MB} MB (--max-old-space-size): idle heap ~31 MB + the 100,000 decoded lines (89 MB) would exhaust it if the broker held the history instead of one page; RSS grew ${fmt1(mb(peak - before.rss))} MB during the pull`
    ]
    if (pull.error !== null) notes.push(`FAIL: ${pull.error}`)
    if (pull.lines !== HISTORY_LINES) notes.push(`FAIL: pulled ${fmtInt(pull.lines)} lines, expected ${fmtInt(HISTORY_LINES)}`)
    return {
      name: 'history',
      measured: `${fmtInt(pull.lines)} lines in ${fmtInt(pull.pages)} pages, ${fmtInt(pull.lines / pull.seconds)} lines/s, peak RSS ${fmt1(mb(peak))} MB`,
      baseline: `broker RSS before the pull ${fmt1(mb(before.rss))} MB`,
      ratio,
      target: `peak RSS < ${MAX_PEAK_MB} MB, all ${fmtInt(HISTORY_LINES)} lines, heap cap ${HEAP_CAP_MB} MB`,
      verdict: verdictOf(mb(peak) < MAX_PEAK_MB && pull.lines === HISTORY_LINES && pull.error === null),
      notes
    }
  } finally {
    await b.close()
  }
}
