/**
 * gate: a signed `/proxy/v2/connection_status` that passes every gate (signature, client and
 * subscription, lock, rate counters) and answers from Redis without a provider call, against a bare
 * Fastify route answering the same JSON body. Each server runs in its own child process, loaded with
 * 50 connections (bench/load.ts).
 */
import type { Durations } from './cli-args.js'
import { compareLoads, loadGeneratorNote, type LoadFigures, type LoadPlan, type RequestShape } from './load.js'
import { startServer, type ServerProcess } from './processes.js'
import { freePort } from '../src/dev/local-redis.js'
import { startBroker } from './broker/harness.js'
import { callBroker, consentSandboxBank, registerClients } from './broker/clients.js'
import { signedRequest } from './broker/signed.js'
import { limitsNote } from './broker/env.js'
import { layoutNote } from './machine.js'
import { fmt1, fmtInt, verdictOf, type BenchResult } from './report.js'

const PATH = '/proxy/v2/connection_status'
const CONNECTIONS = 50
const MIN_RATIO = 0.5
const MAX_P99_MS = 50
/**
 * The default per-client limit (RATE_LIMIT_PROXY_CLIENT, a minute). The pool keeps every client
 * under it, so the figures hold even where a limit ignores the lifted settings (the gate had a
 * hard-coded 600 before its one-round-trip rewrite).
 */
const DEFAULT_PER_CLIENT_MINUTE = 600
/** Above any rate this 2-core machine reaches; only sizes the client pool. */
const ASSUMED_MAX_RPS = 15_000

/** Enough clients that none passes the default per-minute limit with all of one side's load in one minute. */
function clientPoolSize (d: Durations): number {
  const secondsOfLoad = d.warmupSeconds + d.rounds * d.measureSeconds
  return Math.ceil(ASSUMED_MAX_RPS * secondsOfLoad / (DEFAULT_PER_CLIENT_MINUTE - 100))
}

const describe = (f: LoadFigures): string => `${fmtInt(f.requestsPerSecond)} req/s, p50 ${fmt1(f.p50Ms)} ms, p99 ${fmt1(f.p99Ms)} ms`

export async function runGateBench (d: Durations): Promise<BenchResult> {
  const broker = await startBroker()
  let bare: ServerProcess | null = null
  try {
    const link = await consentSandboxBank(broker, 'ponto', 'BE', 'Sandbox Ordinary Bank')
    // with the consent end date stored at link time, connection_status never calls the provider
    if (link.consentExpiresAt === null || link.consentExpiresAt === undefined) throw new Error('the Ponto sandbox gave no consent end date: connection_status would call the provider')
    const clients = await registerClients(broker, link, clientPoolSize(d))
    const requests = clients.map(c => signedRequest(PATH, c, {}))
    const first = await callBroker(broker, requests[0] as RequestShape)
    if (typeof first.result?.consent_expiring_date !== 'string') throw new Error(`connection_status did not answer a consent date: ${JSON.stringify(first)}`)
    const body = JSON.stringify(first)
    const port = await freePort()
    bare = await startServer('./servers/bare-fastify.js', { PORT: String(port), BARE_PATH: PATH, BARE_RESPONSE: body }, port, '/health')
    const plan = (url: string, serverPid: number): LoadPlan => ({ url, serverPid, connections: CONNECTIONS, requests, expect: { body } })
    // the bare server gets the very same signed requests (it ignores the headers)
    const cmp = await compareLoads(plan(broker.server.url, broker.server.pid), plan(bare.url, bare.pid), d)
    const ratio = cmp.a.requestsPerSecond / cmp.b.requestsPerSecond
    const roundRatios = cmp.roundsA.map((a, i) => a / (cmp.roundsB[i] as number)).sort((x, y) => x - y)
    const notes = [
      `${CONNECTIONS} connections; ${d.warmupSeconds} s warm-up per side, then ${d.rounds} alternating ${d.measureSeconds} s rounds, best round kept (broker ${cmp.roundsA.map(fmtInt).join(' / ')}, bare ${cmp.roundsB.map(fmtInt).join(' / ')} req/s)`,
      `ratio of each pair of rounds: ${roundRatios.map(r => r.toFixed(2)).join(' ')}, median ${(roundRatios[Math.floor(roundRatios.length / 2)] as number).toFixed(2)}`,
      `server CPU per request: broker ${fmt1(cmp.a.serverCpuMsPerRequest * 1000)} µs (plus Redis), bare ${fmt1(cmp.b.serverCpuMsPerRequest * 1000)} µs: CPU ratio ${(cmp.b.serverCpuMsPerRequest / cmp.a.serverCpuMsPerRequest).toFixed(2)}`,
      limitsNote(),
      `the load rotates over ${clients.length} clients (one database and subscription each, as many Odoo databases), each under the default ${DEFAULT_PER_CLIENT_MINUTE} requests a minute; every request signed`,
      'broker at LOG_LEVEL=info (production default, to /dev/null); bare Fastify without logger',
      loadGeneratorNote(),
      layoutNote()
    ]
    if (cmp.a.bad > 0) notes.push(`FAIL: ${fmtInt(cmp.a.bad)} broker answers were not the expected result: ${cmp.a.badDetail}`)
    if (cmp.b.bad > 0) notes.push(`FAIL: ${fmtInt(cmp.b.bad)} bare answers were not the expected body: ${cmp.b.badDetail}`)
    const ok = ratio >= MIN_RATIO && cmp.a.p99Ms < MAX_P99_MS && cmp.a.bad === 0 && cmp.b.bad === 0
    return {
      name: 'gate',
      measured: `broker ${describe(cmp.a)}`,
      baseline: `bare Fastify ${describe(cmp.b)}`,
      ratio,
      target: `ratio >= ${MIN_RATIO}, p99 < ${MAX_P99_MS} ms`,
      verdict: verdictOf(ok),
      notes
    }
  } finally {
    await bare?.stop()
    await broker.close()
  }
}
