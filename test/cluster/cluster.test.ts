/**
 * Beyond one machine (issue 6, point 5): two broker processes on a real three-master Redis
 * Cluster. A link started on one instance finishes on the other; Odoo's signed calls are served by
 * either; a per-client rate limit counts the requests of both instances together; a lock set
 * through one instance's admin API holds on the other until the SMS code unlock; a link deleted
 * through one is gone on the other. A multi-key command spanning hash slots fails on a cluster
 * (CROSSSLOT, or ioredis refusing the pipeline) and shows in the brokers' logs, which must stay
 * free of it.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { startRedisCluster } from '../helpers/redis-cluster.js'
import { crossSlotLines } from '../helpers/broker-process.js'
import type { OdooLink } from '../helpers/odoo-client.js'
import { freshPhone, provision, startDeployment } from './deployment.js'
import { linkAcross } from './link-flow.js'
import { createKeys } from '../../src/store/keys.js'
import { keySlot } from './slot.js'
import { checkDeleteAcross, checkFetchOnBoth, checkLockedOn, checkRateLimitAcross, checkServes, lockVia, recentLogs, unlockByCodeVia } from './checks.js'

const RATE_LIMIT = 20

const cluster = await startRedisCluster(t)
const d = await startDeployment(t, { REDIS_MODE: 'cluster', REDIS_URL: cluster.url }, { RATE_LIMIT_PROXY_CLIENT: String(RATE_LIMIT) })
const { b1, b2 } = d
const db = randomUUID()
const phone = freshPhone()
let link: OdooLink | null = null

t.test('a link started on broker 1 and finished on broker 2, then fetched through both', async t => {
  await provision(b1, db)
  const linked = await linkAcross({ start: b1, finish: b2, exchange: b2 }, db, phone)
    .catch((err: Error) => { throw new Error(`${err.message}\n${recentLogs(d).join('\n')}`) })
  t.match(linked.done.html, /Your bank is connected/)
  link = linked
  await checkFetchOnBoth(t, d, link, db)
})

t.test(`${RATE_LIMIT} requests per client per window, counted across both brokers`, async t => {
  const second = await linkAcross({ start: b2, finish: b1, exchange: b1 }, db, phone)
  await checkRateLimitAcross(t, d, second, db, RATE_LIMIT, 50)
})

t.test('a lock set through broker 1 refuses on broker 2 until the SMS code unlock', async t => {
  if (link === null) return t.fail('no link')
  await lockVia(t, d, b1, link)
  await checkLockedOn(t, d, b2, link, db)
  await unlockByCodeVia(t, d, b1, link, phone)
  await checkServes(t, d, b2, link, db)
})

t.test('delete_user through broker 1 forgets the client on broker 2', async t => {
  if (link === null) return t.fail('no link')
  await checkDeleteAcross(t, d, link, db)
})

t.test('the keys are spread over the masters and no command crossed hash slots', async t => {
  const keys = createKeys(d.keyPrefix)
  for (const key of [keys.client(db, 'cl_x'), keys.catalogue('version'), keys.smsSends('p:x'), keys.audit()]) {
    t.equal(await cluster.keySlot(key), keySlot(key), `the slot function agrees with CLUSTER KEYSLOT for ${key}`)
  }
  const perNode = await cluster.keysPerNode()
  t.ok(perNode.filter(n => n > 0).length >= 2, `keys on several masters: ${perNode.join(', ')}`)
  t.same([...crossSlotLines(b1), ...crossSlotLines(b2)], [], 'no CROSSSLOT in either broker log')
})
