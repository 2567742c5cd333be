/** The fallback load generator where wrk is not installed: autocannon's programmatic API, in this process. */
import autocannon from 'autocannon'
import type { LoadPlan, RawRun } from './load.js'

export async function runAutocannon (plan: LoadPlan, seconds: number): Promise<RawRun> {
  const expect = plan.expect
  const r = await autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: seconds,
    timeout: 10,
    requests: plan.requests,
    // autocannon 9 accepts verifyBody (not yet in @types/autocannon 7)
    ...({ verifyBody: (text: string) => 'body' in expect ? text === expect.body : !text.includes(expect.notContaining) } as object)
  })
  const s = r.duration > 0 ? r.duration : seconds
  const mismatches = (r as unknown as { mismatches?: number }).mismatches ?? 0
  return { total: r.requests.total, seconds: s, p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, mismatches, errors: r.errors, timeouts: r.timeouts, bytesPerSecond: r.throughput.average }
}
