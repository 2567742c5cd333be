/**
 * Property-based fuzzing of the ops and webhook operations in openapi.yaml (/health, /ready,
 * /metrics, /webhooks/{provider}): well-formed answers, a reference on every error, no crash.
 */
import t from 'tap'
import fc from 'fast-check'
import { buildAttackApp, UNLIMITED } from './support/app.js'
import { loadOperations } from './support/openapi.js'
import { requestsFor } from './support/requests.js'
import { fuzz, FUZZ_SEED, runs } from './support/fuzz.js'
import { watchProcess } from './support/answers.js'

t.test('fuzzing the ops and webhook surfaces', async t => {
  t.comment(`FUZZ_SEED=${FUZZ_SEED} (set FUZZ_SEED to replay)`)
  const crashes = watchProcess(t)
  const h = await buildAttackApp(t, UNLIMITED)
  const ops = loadOperations().filter(op => op.surface === 'ops' || op.surface === 'webhook')
  t.ok(ops.length >= 4, `${ops.length} ops and webhook operations in openapi.yaml`)
  const ctx = { known: { provider: ['plaid', 'yodlee', 'saltedge', 'ponto', 'enablebanking'] }, authorization: fc.constant(undefined) }
  let total = 0
  for (const op of ops) total += (await fuzz(t, h.app, `${op.method} ${op.path}`, requestsFor(op, ctx), runs(op.surface === 'webhook' ? 200 : 60))).cases
  t.comment(`${total} ops and webhook cases`)
  t.same(crashes, [], 'no uncaught exception or unhandled rejection')
})
