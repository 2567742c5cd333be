/**
 * D3 (reliability.md §4 S8): Redis killed in the middle of appending leaves a torn command at
 * the end of its AOF. With `aof-load-truncated yes` (the default) it still loads, and every lock
 * the broker acknowledged before that last write is there.
 */
import t from 'tap'
import { patiently, startBroker, untilReady } from './broker.js'
import { lockAsOps, registerClient } from './register.js'
import { currentIncrFile, sizeOf, tearTail } from './aof.js'
import { signedCall } from '../helpers/odoo-client.js'

const DB = 'db-torn-aof-0001'
const LOCKED_CLIENTS = 20
const TORN_BYTES = 7

t.test('D3: a torn AOF tail loads, and every earlier acknowledged lock is still there', async t => {
  const b = await startBroker(t)
  const s = b.h.app.services
  await patiently(async () => await s.subscriptions.set(DB, 'enterprise', '2099-12-31', 'test'))
  const admin = await b.h.adminToken('ops')
  const locked = []
  for (let i = 0; i < LOCKED_CLIENTS; i++) {
    const c = await registerClient(b, DB)
    await lockAsOps(b, c, admin)
    locked.push(c)
  }
  // The last write before the crash, which the tear cuts into: a new client after all the locks.
  const last = await registerClient(b, DB)

  const aof = currentIncrFile(b.redis.dir)
  await b.redis.stop()
  const fullSize = sizeOf(aof)
  tearTail(aof, TORN_BYTES)
  await t.rejects(b.redis.start(['--aof-load-truncated', 'no']), /aof-load-truncated/, 'the tail really is torn: a strict Redis refuses to load it')
  await b.redis.start()
  t.ok(sizeOf(aof) <= fullSize - TORN_BYTES, `Redis dropped the torn command (${fullSize} → ${sizeOf(aof)} bytes) and loaded the rest`)
  await untilReady(b)

  const seen = await Promise.all(locked.map(async c => {
    const res = await patiently(async () => await signedCall(b.h.app, '/proxy/v1/accounts', c, {}, { dbUuid: DB }), r => r.body.error?.data?.exception_type === 'BSB_SERVICE_UNAVAILABLE')
    return res.body.error?.data?.exception_type ?? 'usable'
  }))
  t.same(seen, locked.map(() => 'BSB_ACCOUNT_LOCKED'), `all ${LOCKED_CLIENTS} locked clients are refused as locked`)
  const indexed = await b.direct.smismember(s.keys.lockedClients(), ...locked.map(c => c.clientId))
  t.same(indexed, locked.map(() => 1), 'and listed in the lock index')

  const after = await registerClient(b, DB)
  t.ok(after.clientId, 'the broker writes again after the truncated load')
  const lastClient = await b.direct.exists(s.keys.client(DB, last.clientId))
  t.comment(`the client registered by the torn last write ${lastClient === 1 ? 'survived (the tear hit a later command of that request)' : 'is gone'}`)
})
