/**
 * Runs a fast-check property over injected requests: every answer must pass `violations`. The
 * seed comes from FUZZ_SEED (to replay a failure) or the clock, and is printed; FUZZ_RUNS scales
 * the number of cases. A failure reports the seed, the replay path and the offending request.
 */
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import type { FuzzRequest } from './requests.js'
import { violations } from './answers.js'

interface Tap {
  comment: (...args: unknown[]) => void
  pass: (msg: string) => void
  fail: (msg: string) => void
}

export const FUZZ_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2_147_483_647
const SCALE = process.env.FUZZ_RUNS_SCALE !== undefined ? Number(process.env.FUZZ_RUNS_SCALE) : 1

export function runs (n: number): number {
  return Math.max(1, Math.round(n * SCALE))
}

export interface FuzzStats { cases: number, outcomes: Map<string, number> }

function outcomeOf (res: { statusCode: number, body: string }): string {
  try {
    const b = JSON.parse(res.body) as { error?: { data?: { exception_type?: string } }, code?: string, result?: unknown }
    return `${res.statusCode} ${b.error?.data?.exception_type ?? b.code ?? (b.result !== undefined ? 'result' : 'ok')}`
  } catch {
    return `${res.statusCode} non-json`
  }
}

const short = (s: string, n = 300): string => s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s

/**
 * Fuzzes with `arb`; `extra` may add checks of its own (returning problems) and `send` may
 * replace the plain inject (e.g. to sign the request first).
 */
export async function fuzz (t: Tap, app: FastifyInstance, name: string, arb: fc.Arbitrary<FuzzRequest>, numRuns: number, o: {
  extra?: (req: FuzzRequest, res: { statusCode: number, headers: Record<string, unknown>, body: string }) => string[]
  send?: (req: FuzzRequest) => Promise<{ statusCode: number, headers: Record<string, unknown>, body: string }>
} = {}): Promise<FuzzStats> {
  const stats: FuzzStats = { cases: 0, outcomes: new Map() }
  const send = o.send ?? (async (req: FuzzRequest) => await app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) }))
  let sending = 0
  const property = fc.asyncProperty(arb, async req => {
    const started = performance.now()
    const res = await send(req)
    sending += performance.now() - started
    stats.cases++
    const outcome = outcomeOf(res)
    stats.outcomes.set(outcome, (stats.outcomes.get(outcome) ?? 0) + 1)
    const problems = [...violations(req.url, res), ...(o.extra?.(req, res) ?? [])]
    if (problems.length > 0) {
      throw new Error(`${problems.join('; ')}\n  request: ${req.method} ${short(req.url)} headers=${short(JSON.stringify(req.headers))} body=${short(req.payload ?? '(none)')}\n  answer: ${res.statusCode} ${short(res.body, 600)}`)
    }
  })
  try {
    await fc.assert(property, { seed: FUZZ_SEED, numRuns, endOnFailure: true })
    const top = [...stats.outcomes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k}×${v}`).join(', ')
    t.pass(`${name}: ${stats.cases} cases, every answer well-formed (${top}); ${Math.round(sending)} ms answering`)
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message
    t.fail(`${name}: ${short(cause ?? '', 3000)}\n${short((err as Error).message, 1500)}`)
  }
  return stats
}
