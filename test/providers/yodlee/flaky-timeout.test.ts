/** The flaky bank's slow answer against a short deadline (own process: the retry budget is per process). */
import t from 'tap'
import { ProviderError } from '../../../providers/errors.js'
import { US, link, startSandbox } from './harness.js'

t.test('flaky bank: a slow answer past the deadline is provider_down / timeout', async t => {
  const h = await startSandbox(t, { slowMs: 1_000, timeoutMs: 250 })
  const conn = await link(h, US.flaky)
  // Calls 3 and 5 of the schedule fail, call 7 is slow; earlier failures may or may not be retried
  // inside the 250 ms budget, so walk the schedule until the slow call.
  let timeout: ProviderError | null = null
  let elapsed = 0
  for (let i = 0; i < 6 && timeout === null; i++) {
    const started = Date.now()
    const err = await h.adapter.listAccounts(conn, null).then(() => null, (e: unknown) => e)
    if (err instanceof ProviderError && err.providerCode === 'timeout') {
      timeout = err
      elapsed = Date.now() - started
    }
  }
  t.match(timeout, { kind: 'provider_down', providerCode: 'timeout' })
  t.ok(elapsed < 900, `gave up at the deadline (${elapsed} ms)`)
})
