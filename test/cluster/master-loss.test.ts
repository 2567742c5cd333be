/**
 * A Redis Cluster that loses a master (issue 6, point 5; reliability.md TH12): three masters with a
 * replica each, two broker processes. Ops lock a client; the master that holds the client's
 * database is killed (SIGKILL) and its replica takes over. While the slot has no master the brokers
 * refuse with a reference, never serve the locked client and never answer a 500; once the replica
 * is master they serve again without a restart, the lock still holds on both, and the SMS code
 * unlock writes to the new master.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { startRedisCluster, onNode, waitFor } from '../helpers/redis-cluster.js'
import { exceptionType } from '../helpers/odoo-http.js'
import type { BrokerProcess } from '../helpers/broker-process.js'
import { freshPhone, provision, startDeployment } from './deployment.js'
import { linkAcross } from './link-flow.js'
import { createKeys } from '../../src/store/keys.js'
import { keySlot } from './slot.js'
import { call, checkLockedOn, checkServes, lockVia, recentLogs, unlockByCodeVia } from './checks.js'

const NODE_TIMEOUT_MS = 2_000
/** The node timeout, the replica's election, and the brokers learning the new slot map, on a loaded machine. */
const RECOVERY_LIMIT_MS = 30_000

const cluster = await startRedisCluster(t, { replicas: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
const d = await startDeployment(t, { REDIS_MODE: 'cluster', REDIS_URL: cluster.url })
const db = randomUUID()
const phone = freshPhone()

t.test('a master dies: the brokers fail closed, then serve from its promoted replica with the lock kept', async t => {
  await provision(d.b1, db)
  const link = await linkAcross({ start: d.b1, finish: d.b2, exchange: d.b2 }, db, phone)
    .catch((err: Error) => { throw new Error(`${err.message}\n${recentLogs(d).join('\n')}`) })
  await checkServes(t, d, d.b1, link, db)
  await lockVia(t, d, d.b2, link)

  const clientKey = createKeys(d.keyPrefix).client(db, link.clientId)
  const { master, replicas } = await cluster.nodesOfSlot(keySlot(clientKey))
  const replica = replicas[0] as number
  t.ok(replica !== undefined, `the client's master (port ${master}) has a replica (port ${String(replica)})`)
  await waitFor('the lock on the replica', async () => await onNode(replica, async r => { await r.call('READONLY'); return await r.hget(clientKey, 'locked') === '1' }))

  const killedAt = Date.now()
  await cluster.kill(master)
  const seen: Record<string, number> = {}
  const badAnswers: unknown[] = []
  let recoveredAfterMs = -1
  while (Date.now() - killedAt < RECOVERY_LIMIT_MS) {
    const answers = await Promise.all(d.brokers.map(async (b: BrokerProcess) => await call(b, '/proxy/v1/accounts', link, db)))
    for (const a of answers) {
      const kind = exceptionType(a) ?? 'served'
      seen[kind] = (seen[kind] ?? 0) + 1
      const referenced = typeof a.error?.data?.error_reference === 'string' && a.error.data.error_reference.startsWith('ref_')
      if (!['BSB_SERVICE_UNAVAILABLE', 'BSB_ACCOUNT_LOCKED'].includes(kind) || !referenced) badAnswers.push(a)
    }
    if (answers.every(a => exceptionType(a) === 'BSB_ACCOUNT_LOCKED')) {
      recoveredAfterMs = Date.now() - killedAt
      break
    }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  t.comment(`answers after the kill: ${JSON.stringify(seen)}; both brokers read the new master ${recoveredAfterMs} ms after the kill`)
  t.same(badAnswers.slice(0, 3), [], 'every answer meanwhile was a referenced refusal: unavailable, or locked; never served, never a 500')
  t.ok(recoveredAfterMs >= 0, `both brokers answer from the promoted replica within ${RECOVERY_LIMIT_MS} ms`, { logs: recentLogs(d) })
  const promoted = await cluster.nodesOfSlot(keySlot(clientKey))
  t.equal(promoted.master, replica, 'the replica now serves the slot')

  await checkLockedOn(t, d, d.b1, link, db)
  await checkLockedOn(t, d, d.b2, link, db)
  await unlockByCodeVia(t, d, d.b1, link, phone)
  await checkServes(t, d, d.b2, link, db)
})
