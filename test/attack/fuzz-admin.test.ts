/**
 * Property-based fuzzing of every `/admin/*` operation in openapi.yaml, once without credentials
 * (garbage or no Authorization header: never a 2xx, never more than "unauthorized") and once with
 * a valid ops token (whatever the path, query and body: problem+json with a reference on every
 * error, never a 5xx other than a 503 with a reference, no stack trace, no crash).
 */
import t from 'tap'
import fc from 'fast-check'
import { buildAttackApp, UNLIMITED } from './support/app.js'
import { loadOperations } from './support/openapi.js'
import { requestsFor, strayRequests } from './support/requests.js'
import { headerValue } from './support/arbitraries.js'
import { fuzz, FUZZ_SEED, runs } from './support/fuzz.js'
import { watchProcess } from './support/answers.js'
import { newLink, registerPhone } from '../locks/helpers.js'

/** Without credentials nothing reaches a handler: refused as malformed (400, or 413/415 for the body, checked before authentication), unauthenticated or unrouted. */
const UNAUTHENTICATED_STATUSES = new Set([400, 401, 404, 413, 415])

t.test('fuzzing the /admin surface, unauthenticated and as ops', async t => {
  t.comment(`FUZZ_SEED=${FUZZ_SEED} (set FUZZ_SEED to replay)`)
  const crashes = watchProcess(t)
  const h = await buildAttackApp(t, UNLIMITED, { listen: true })
  const db = 'db-aaaa-0001'
  const locked = await newLink(h.app, db)
  const free = await newLink(h.app, 'db-bbbb-0002')
  await registerPhone(h, db, '+32470000009')
  const token = await h.adminToken('ops')
  await h.app.inject({ method: 'POST', url: `/admin/clients/${locked.clientId}/lock`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ reason: 'fuzz target' }) })
  const reference = (await h.app.inject({ method: 'GET', url: '/admin/nowhere' })).json().reference as string
  const known = { client_id: [locked.clientId, free.clientId], db_uuid: [db, 'db-bbbb-0002'], reference: [reference] }

  const ops = loadOperations().filter(op => op.surface === 'admin')
  t.ok(ops.length >= 10, `${ops.length} /admin operations in openapi.yaml`)
  t.ok(ops.every(op => op.bearer), 'every admin operation declares the bearer requirement')
  const garbageAuth = fc.oneof(fc.constant(undefined), headerValue, fc.constantFrom(`Bearer ${token.slice(0, -2)}`, `Bearer ${token}x`, `bearer ${token}`, `Basic ${token}`, `Bearer ${token.split('.').slice(0, 2).join('.')}.`))
  const unauthenticated = (_req: unknown, res: { statusCode: number }): string[] =>
    UNAUTHENTICATED_STATUSES.has(res.statusCode) ? [] : [`unauthenticated request answered ${res.statusCode}`]
  let total = 0
  for (const op of ops) {
    total += (await fuzz(t, h.app, `${op.method} ${op.path} without credentials`, requestsFor(op, { known, authorization: garbageAuth }), runs(75), { extra: unauthenticated })).cases
    total += (await fuzz(t, h.app, `${op.method} ${op.path} as ops`, requestsFor(op, { known, authorization: fc.constant(`Bearer ${token}`) }), runs(75))).cases
  }
  total += (await fuzz(t, h.app, 'undeclared /admin paths and methods', strayRequests(['/admin/', '/admin/clients/', '/admin/subscriptions/', '/', '/docs/']), runs(150))).cases
  t.comment(`${total} /admin cases`)
  t.same(crashes, [], 'no uncaught exception or unhandled rejection')
})
