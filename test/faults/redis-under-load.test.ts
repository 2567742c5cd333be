/**
 * D4 (reliability.md §4 S8, reduced for CI): Redis killed and restarted while 20 signed requests
 * are in flight on a lock-checked route. While it is down every answer is a quick refusal with a
 * reference (none hangs, none succeeds); after the restart the same broker process recovers.
 * The AOF fsyncs every second here: this test is about failing closed and recovering, and a slow
 * CI disk must not turn healthy requests into command timeouts (D1 covers `appendfsync always`).
 */
import t from 'tap'
import { patiently, startBroker, untilReady } from '../durability/broker.js'
import { sandboxLinkData } from '../durability/sandbox-link.js'
import { registerClient } from '../durability/register.js'
import { startLoad } from '../durability/load.js'
import { duringOutage, killRedisFor, percentileMs, tally } from '../durability/answers.js'

const IN_FLIGHT = 20
const CLIENTS = 40
const BEFORE_MS = 3_000
const DOWN_MS = 3_000
const AFTER_MS = 7_000
const RECOVERY_BUDGET_MS = 5_000
const DEADLINE_MS = 5_000

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

t.test('D4: Redis killed under load: quick referenced refusals, no hang, recovery without a broker restart', async t => {
  const b = await startBroker(t, ['--appendonly', 'yes', '--appendfsync', 'everysec'])
  const link = await patiently(async () => await sandboxLinkData(b.h))
  const dbs = ['db-load-0001', 'db-load-0002', 'db-load-0003', 'db-load-0004']
  for (const db of dbs) await patiently(async () => await b.h.app.services.subscriptions.set(db, 'enterprise', '2099-12-31', 'test'))
  const clients = []
  for (let i = 0; i < CLIENTS; i++) clients.push(await registerClient(b, dbs[i % dbs.length] as string, link))

  const load = startLoad(b, clients, { path: '/proxy/v1/authorize_access', inFlight: IN_FLIGHT, deadlineMs: DEADLINE_MS })
  await sleep(BEFORE_MS)
  const w = await killRedisFor(b.redis, DOWN_MS)
  const { killAt, downFrom, downUntil, upAt } = w
  await sleep(AFTER_MS)
  await load.stop()
  await untilReady(b)

  const all = load.answers
  const before = all.filter(a => a.endedAt < killAt)
  const down = all.filter(a => duringOutage(a, w))
  const firstBack = all.filter(a => a.ok && a.startedAt >= downUntil).sort((x, y) => x.endedAt - y.endedAt)[0]
  const settled = all.filter(a => a.startedAt >= upAt + RECOVERY_BUDGET_MS)
  const ratio = (xs: typeof all): number => xs.filter(a => a.ok).length / Math.max(1, xs.length)

  t.comment(`${all.length} requests in ${((Date.now() - killAt + BEFORE_MS) / 1000).toFixed(1)} s, ${IN_FLIGHT} in flight over ${CLIENTS} clients: ${JSON.stringify(tally(all))}`)
  t.comment(`before the kill: ${before.length} answers, ${(100 * ratio(before)).toFixed(2)} % success, p99 ${percentileMs(before, 99)} ms`)
  t.comment(`while down (${downUntil - downFrom} ms): ${down.length} answers ${JSON.stringify(tally(down))}, p50 ${percentileMs(down, 50)} ms, p99 ${percentileMs(down, 99)} ms, max ${percentileMs(down, 100)} ms`)
  t.comment(`first success ${firstBack === undefined ? 'never' : `${firstBack.endedAt - upAt} ms`} after Redis answered again; from ${RECOVERY_BUDGET_MS} ms after the restart: ${settled.length} answers, ${(100 * ratio(settled)).toFixed(2)} % success`)

  t.same(all.filter(a => a.transportError !== null).map(a => a.transportError), [], `0 hung or dropped requests (client deadline ${DEADLINE_MS} ms)`)
  t.ok(before.length > 0 && ratio(before) >= 0.99, 'healthy before the kill')
  t.ok(down.length >= IN_FLIGHT, 'the load kept asking while Redis was down')
  t.equal(down.filter(a => a.ok).length, 0, '0 successes while Redis was down')
  t.same(down.filter(a => a.code !== 'BSB_SERVICE_UNAVAILABLE').map(a => a.code), [], 'every answer while down is BSB_SERVICE_UNAVAILABLE')
  t.ok(percentileMs(down, 100) <= 1_000, `every refusal while down within 1 s (max ${percentileMs(down, 100)} ms)`)
  t.same(all.filter(a => !a.ok && (a.reference === null || !/^ref_/.test(a.reference) || a.headerReference !== a.reference)).length, 0, 'every refusal, at any time, has its reference in the body and the x-error-reference header')
  t.equal(all.filter(a => a.code === 'BSB_INTERNAL').length, 0, 'no internal errors')
  t.ok(firstBack !== undefined && firstBack.endedAt - upAt <= RECOVERY_BUDGET_MS, 'requests succeed again within 5 s of the restart, same broker process')
  t.ok(settled.length > 0 && ratio(settled) >= 0.99, '≥ 99 % success once recovered')
})
