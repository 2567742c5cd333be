/**
 * Property-based fuzzing of every `/proxy/*` operation in openapi.yaml (unsigned or with garbage
 * odoofin-* headers): whatever arrives, the answer is the HTTP-200 Odoo envelope with a reference
 * on every error, never an internal error, never a stack trace, and the process never throws.
 */
import t from 'tap'
import { buildAttackApp, UNLIMITED } from './support/app.js'
import { loadOperations } from './support/openapi.js'
import { requestsFor, strayRequests } from './support/requests.js'
import { fuzz, FUZZ_SEED, runs } from './support/fuzz.js'
import { watchProcess } from './support/answers.js'
import { newLink } from '../locks/helpers.js'
import fc from 'fast-check'

t.test('fuzzing the /proxy surface', async t => {
  t.comment(`FUZZ_SEED=${FUZZ_SEED} (set FUZZ_SEED to replay)`)
  const crashes = watchProcess(t)
  const h = await buildAttackApp(t, UNLIMITED)
  const link = await newLink(h.app, 'db-aaaa-0001')
  const ctx = { known: { 'odoofin-client-id': [link.clientId], 'odoofin-access-token': [link.accessToken] }, authorization: fc.constant(undefined) }
  const ops = loadOperations().filter(op => op.surface === 'proxy')
  t.ok(ops.length >= 15, `${ops.length} /proxy operations in openapi.yaml`)
  let total = 0
  for (const op of ops) total += (await fuzz(t, h.app, `${op.method} ${op.path}`, requestsFor(op, ctx), runs(120))).cases
  total += (await fuzz(t, h.app, 'undeclared /proxy paths and methods', strayRequests(['/proxy/', '/proxy/v1/', '/proxy/v2/', '/proxy/v1/accounts/', '/proxy/v3/']), runs(150))).cases
  t.comment(`${total} /proxy cases`)
  t.same(crashes, [], 'no uncaught exception or unhandled rejection')
})
