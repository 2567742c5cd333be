/**
 * D6, its second half (reliability.md §4 S8): a primary run with `min-replicas-to-write 1` and
 * `min-replicas-max-lag 10` stops taking writes once its only replica is gone (NOREPLICAS). The
 * broker answers those refusals as it answers any Redis outage, 503 BSB_SERVICE_UNAVAILABLE with a
 * reference (fail closed: a request the gate cannot count is not served), and the locks written
 * before stay. The first half, WAIT after security writes and a failover to the replica, is not
 * built: the broker never issues WAIT (README, Redis topologies).
 */
import t from 'tap'
import { startBroker } from './broker.js'
import { lockAsOps, registerClient } from './register.js'
import { privateRedis } from '../helpers/redis-server.js'
import { expectRefusedClientCall, expectRefusedOpsWrite } from './refusals.js'
import { signedCall } from '../helpers/odoo-client.js'

const DB = 'db-replica-lost-0001'
const MAX_LAG_S = 10
/** The lag limit, the replica's once-a-second acknowledgement, and a margin for a loaded machine. */
const REFUSED_WITHIN_MS = (MAX_LAG_S + 3) * 1000

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

t.test('a primary that lost its replica refuses writes within the lag limit; the broker answers 503 with a reference', async t => {
  const b = await startBroker(t, [])
  const replica = await privateRedis(t, ['--replicaof', '127.0.0.1', String(b.redis.port)])
  for (let i = 0; i < 100 && !/slave0:.*state=online/.test(await b.direct.info('replication')); i++) await sleep(100)
  t.match(await b.direct.info('replication'), /slave0:.*state=online/, 'the replica is attached and in sync')
  await b.direct.config('SET', 'min-replicas-to-write', '1')
  await b.direct.config('SET', 'min-replicas-max-lag', String(MAX_LAG_S))

  const s = b.h.app.services
  await s.subscriptions.set(DB, 'enterprise', '2099-12-31', 'test')
  const admin = await b.h.adminToken('ops')
  const locked = await registerClient(b, DB)
  await lockAsOps(b, locked, admin)
  const open = await registerClient(b, DB)
  const lockNext = async () => await b.h.app.inject({ method: 'POST', url: `/admin/clients/${open.clientId}/lock`, headers: { authorization: `Bearer ${admin}` }, payload: { reason: 'replica test' } })

  const killedAt = Date.now()
  await replica.stop()
  let refusal = await lockNext()
  while (refusal.statusCode === 200 && Date.now() - killedAt < REFUSED_WITHIN_MS + 5_000) {
    // the lock went through while the primary still counted the replica: take it back and try again
    await s.redis.hdel(s.keys.client(DB, open.clientId), 'locked').catch(() => {})
    await sleep(250)
    refusal = await lockNext()
  }
  const refusedAfterMs = Date.now() - killedAt
  t.comment(`writes refused ${refusedAfterMs} ms after the replica died`)
  t.ok(refusedAfterMs <= REFUSED_WITHIN_MS, `within ${REFUSED_WITHIN_MS} ms (${refusedAfterMs})`)
  expectRefusedOpsWrite(t, refusal)
  await expectRefusedClientCall(t, b, open)
  const lockedCall = await signedCall(b.h.app, '/proxy/v1/accounts', locked, {}, { dbUuid: DB })
  t.ok(['BSB_ACCOUNT_LOCKED', 'BSB_SERVICE_UNAVAILABLE'].includes(lockedCall.body.error?.data?.exception_type), `the locked client is still refused (${String(lockedCall.body.error?.data?.exception_type)})`)
  t.equal(await b.direct.hget(s.keys.client(DB, locked.clientId), 'locked'), '1', 'its lock record is still there')
})
