/**
 * HTTP load with autocannon's programmatic API, from this process (the servers under test run in
 * child processes). Two sides are compared in alternating rounds after a warm-up each, and each side
 * keeps its best round: on a shared 2-core machine other processes steal time from whichever side
 * runs at that moment, and the best round is the least disturbed one. The server's own CPU time per
 * request (from /proc) is reported too: it does not depend on how much of the machine it got.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import type { Durations } from './cli-args.js'

export interface RequestShape {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
}

export interface LoadPlan {
  url: string
  connections: number
  /**
   * The requests, sent in turn by every connection (each client's signed headers, say). autocannon
   * encodes each once, before the run: the load generator shares its core with Redis, so it must not
   * spend that core rebuilding requests.
   */
  requests: RequestShape[]
  /** True when a response body is the answer we meant to measure (not an error envelope). */
  verifyBody: (body: string) => boolean
  /** The server process, for its CPU time. */
  serverPid: number
}

export interface LoadFigures {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Responses that were not 2xx, failed verifyBody, errored or timed out. */
  bad: number
  /** The same, by kind: `2 not 2xx, 1 unexpected body, 0 errors, 3 timeouts`. */
  badDetail: string
  total: number
  bytesPerSecond: number
  /** CPU time (user + system) of the server process per answered request, in ms. */
  serverCpuMsPerRequest: number
}

export interface Comparison {
  a: LoadFigures
  b: LoadFigures
  /** Requests per second of every measured round, per side, in order. */
  roundsA: number[]
  roundsB: number[]
}

const CLOCK_TICKS_PER_SECOND = 100

/** utime + stime of a process, in ms (fields 14 and 15 of /proc/<pid>/stat, after the command name). */
function cpuMsOf (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1000 / CLOCK_TICKS_PER_SECOND
}

async function once (plan: LoadPlan, seconds: number): Promise<autocannon.Result> {
  return await autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: seconds,
    timeout: 10,
    requests: plan.requests,
    // autocannon 9 accepts verifyBody (not yet in @types/autocannon 7)
    ...({ verifyBody: plan.verifyBody } as object)
  })
}

async function measureOnce (plan: LoadPlan, seconds: number): Promise<LoadFigures> {
  const cpuBefore = cpuMsOf(plan.serverPid)
  const r = await once(plan, seconds)
  const cpu = cpuMsOf(plan.serverPid) - cpuBefore
  const total = r.requests.total
  const mismatches = (r as unknown as { mismatches?: number }).mismatches ?? 0
  return {
    requestsPerSecond: total / (r.duration > 0 ? r.duration : seconds),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    bad: r.non2xx + mismatches + r.errors + r.timeouts,
    badDetail: `${r.non2xx} not 2xx, ${mismatches} unexpected bodies, ${r.errors} connection errors, ${r.timeouts} timeouts (10 s)`,
    total,
    bytesPerSecond: r.throughput.average,
    serverCpuMsPerRequest: total > 0 ? cpu / total : NaN
  }
}

const best = (rounds: LoadFigures[]): LoadFigures => {
  const top = rounds.reduce((x, y) => y.requestsPerSecond > x.requestsPerSecond ? y : x)
  // a bad answer in any round counts
  const bad = rounds.filter(r => r.bad > 0)
  return { ...top, bad: bad.reduce((n, r) => n + r.bad, 0), badDetail: bad.map(r => r.badDetail).join('; ') }
}

/**
 * Warm-up of each side, then `d.rounds` measured rounds in A B, B A, A B… order (the side measured
 * first right after the other's run is still settling, so neither is always first); each side's best.
 */
export async function compareLoads (a: LoadPlan, b: LoadPlan, d: Durations): Promise<Comparison> {
  await once(a, d.warmupSeconds)
  await once(b, d.warmupSeconds)
  const ra: LoadFigures[] = []
  const rb: LoadFigures[] = []
  for (let i = 0; i < d.rounds; i++) {
    if (i % 2 === 0) {
      ra.push(await measureOnce(a, d.measureSeconds))
      rb.push(await measureOnce(b, d.measureSeconds))
    } else {
      rb.push(await measureOnce(b, d.measureSeconds))
      ra.push(await measureOnce(a, d.measureSeconds))
    }
  }
  return { a: best(ra), b: best(rb), roundsA: ra.map(r => r.requestsPerSecond), roundsB: rb.map(r => r.requestsPerSecond) }
}
