/**
 * HTTP load from a separate load generator: wrk where installed, else autocannon in this process
 * (the servers under test run in child processes). Two sides are compared in alternating rounds
 * after a warm-up each, and each side keeps its best round: on a shared 2-core machine other
 * processes steal time from whichever side runs at that moment, and the best round is the least
 * disturbed one. The server's own CPU time per request (from /proc) is reported too: it does not
 * depend on how much of the machine it got.
 */
import { readFileSync } from 'node:fs'
import type { Durations } from './cli-args.js'
import { runWrk, wrkInstalled } from './load-wrk.js'
import { runAutocannon } from './load-autocannon.js'

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
   * The requests, sent in turn (each client's signed headers, say). The load generator encodes each
   * once, before the run: it shares its core with Redis, so it must not spend that core rebuilding them.
   */
  requests: RequestShape[]
  /** How to tell the answer we meant to measure from anything else (an error envelope, say). */
  expect: Expectation
  /** The server process, for its CPU time. */
  serverPid: number
}

/** A 2xx answer counts when its body is exactly `body`, or when it does not contain `notContaining`. */
export type Expectation = { body: string } | { notContaining: string }

/** What one load generator run saw. */
export interface RawRun {
  total: number
  seconds: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  mismatches: number
  errors: number
  timeouts: number
  bytesPerSecond: number
}

const WRK = wrkInstalled()

/** For the notes: which load generator ran. */
export const loadGeneratorNote = (): string => WRK
  ? 'load from wrk (one thread, on the load generator\'s core)'
  : 'load from autocannon in the bench process (wrk is not installed: `apt-get install wrk` for figures that depend less on the load generator)'

export interface LoadFigures {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Responses that were not 2xx, failed the expectation, errored or timed out. */
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

const once = async (plan: LoadPlan, seconds: number): Promise<RawRun> => WRK ? await runWrk(plan, seconds) : await runAutocannon(plan, seconds)

async function measureOnce (plan: LoadPlan, seconds: number): Promise<LoadFigures> {
  const cpuBefore = cpuMsOf(plan.serverPid)
  const r = await once(plan, seconds)
  const cpu = cpuMsOf(plan.serverPid) - cpuBefore
  return {
    requestsPerSecond: r.total / r.seconds,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    bad: r.non2xx + r.mismatches + r.errors + r.timeouts,
    badDetail: `${r.non2xx} not 2xx, ${r.mismatches} unexpected bodies, ${r.errors} connection errors, ${r.timeouts} timeouts (10 s)`,
    total: r.total,
    bytesPerSecond: r.bytesPerSecond,
    serverCpuMsPerRequest: r.total > 0 ? cpu / r.total : NaN
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
