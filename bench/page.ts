/**
 * page: one 500-line transactions page through the broker (signed `/proxy/v1/transactions`, served
 * from the ledger: the first call synced it and it is still fresh) against the provider's own paging
 * call of the same size on the same sandbox, directly over HTTP (Plaid `/transactions/sync`,
 * count 500). Both are served by the broker's child process (the sandbox is mounted in it).
 */
import type { Durations } from './cli-args.js'
import { compareLoads, loadGeneratorNote, type LoadFigures, type RequestShape } from './load.js'
import { startBroker, type BrokerUnderTest } from './broker/harness.js'
import { callBroker, consentSandboxBank, registerClients } from './broker/clients.js'
import type { OdooCredentials } from './broker/signed.js'
import { PAGE, primeClient, transactionsRequest } from './broker/transactions.js'
import { limitsNote } from './broker/env.js'
import { layoutNote } from './machine.js'
import { fmt1, fmtInt, verdictOf, type BenchResult } from './report.js'
import { PLAID_SANDBOX_CLIENT_ID, PLAID_SANDBOX_SECRET } from '../providers/plaid/credentials.js'
import type { LinkData } from '../src/link/store.js'

const CONNECTIONS = 4
const MIN_RATIO = 0.8
/** Far above the pages per second this machine serves; sizes the client pool so each stays under the default 600 requests a minute. */
const ASSUMED_MAX_PAGES_PER_SECOND = 600

async function plaidAccountId (b: BrokerUnderTest, link: LinkData, accountId: string): Promise<string> {
  const { accounts } = await b.control.services.providers.get('plaid')!.adapter.listAccounts(link.connection!, null)
  const account = accounts.find(a => a.id === accountId)
  if (account === undefined) throw new Error(`plaid does not list account ${accountId}`)
  return account.providerAccountId
}

export async function runPageBench (d: Durations): Promise<BenchResult> {
  const b = await startBroker()
  try {
    const link = await consentSandboxBank(b, 'plaid', 'US', 'Sandbox Ordinary Bank')
    const pool = Math.ceil(ASSUMED_MAX_PAGES_PER_SECOND * (d.warmupSeconds + d.rounds * d.measureSeconds) / 500)
    const clients = await registerClients(b, link, pool)
    const first = await primeClient(b, clients[0] as OdooCredentials, null)
    for (const c of clients.slice(1)) {
      const primed = await primeClient(b, c, first.accountId)
      if (primed.body !== first.body) throw new Error('clients on the same connection answered different pages')
    }
    const direct: RequestShape = {
      method: 'POST',
      path: '/sandbox/plaid/transactions/sync',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: PLAID_SANDBOX_CLIENT_ID, secret: PLAID_SANDBOX_SECRET, access_token: link.connection!.secrets.access_token, count: PAGE, options: { account_id: await plaidAccountId(b, link, first.accountId) } })
    }
    const check = await callBroker<{ added?: unknown[] }>(b, direct)
    if (check.added?.length !== PAGE) throw new Error(`the direct Plaid call gave ${String(check.added?.length)} lines, not ${PAGE}`)
    const pages = clients.map(c => transactionsRequest(c, first.accountId))
    const cmp = await compareLoads(
      { url: b.server.url, serverPid: b.server.pid, connections: CONNECTIONS, requests: pages, expect: { body: first.body } },
      { url: b.server.url, serverPid: b.server.pid, connections: CONNECTIONS, requests: [direct], expect: { notContaining: '"error_code"' } },
      d)
    const brokerFigures = cmp.a
    const directFigures = cmp.b
    const ratio = brokerFigures.requestsPerSecond / directFigures.requestsPerSecond
    const describe = (f: LoadFigures): string => `${fmt1(f.requestsPerSecond)} pages/s (${fmtInt(f.requestsPerSecond * PAGE)} lines/s, ${fmt1(f.bytesPerSecond / 1e6)} MB/s), p99 ${fmt1(f.p99Ms)} ms`
    const notes = [
      `${CONNECTIONS} connections; ${d.warmupSeconds} s warm-up per side, then ${d.rounds} alternating ${d.measureSeconds} s rounds, best kept (broker ${cmp.roundsA.map(fmt1).join(' / ')}, direct ${cmp.roundsB.map(fmt1).join(' / ')} pages/s); page ${fmtInt(first.body.length)} B through the broker`,
      `broker process CPU per page: through the broker ${fmt1(brokerFigures.serverCpuMsPerRequest)} ms (plus Redis), direct ${fmt1(directFigures.serverCpuMsPerRequest)} ms: CPU ratio ${(directFigures.serverCpuMsPerRequest / brokerFigures.serverCpuMsPerRequest).toFixed(2)}`,
      `broker: first page of Plaid "Sandbox Ordinary Bank" (ledger synced before measuring, fresh for 5 min, so no provider call); direct: Plaid /transactions/sync count=${PAGE} on the sandbox mounted in the same broker process`,
      `load rotates over ${clients.length} clients on the same bank connection, each under the default 600 requests a minute; ${limitsNote()}`,
      loadGeneratorNote(),
      layoutNote()
    ]
    if (brokerFigures.bad > 0) notes.push(`FAIL: ${fmtInt(brokerFigures.bad)} broker answers were not the expected page: ${brokerFigures.badDetail}`)
    if (directFigures.bad > 0) notes.push(`FAIL: ${fmtInt(directFigures.bad)} direct answers were not pages: ${directFigures.badDetail}`)
    return {
      name: 'page',
      measured: `broker ${describe(brokerFigures)}`,
      baseline: `direct sandbox ${describe(directFigures)}`,
      ratio,
      target: `ratio >= ${MIN_RATIO}`,
      verdict: verdictOf(ratio >= MIN_RATIO && brokerFigures.bad === 0 && directFigures.bad === 0),
      notes
    }
  } finally {
    await b.close()
  }
}
