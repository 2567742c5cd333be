/**
 * A lock is two writes in two slots (the client record, then the ops index). When Redis dies between
 * them the request fails; the retry must complete the lock, not answer "already locked" and leave a
 * locked client that ops cannot see (found by the durability test's kill -9).
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { newLink } from './helpers.js'
import { lockScripts } from '../../src/locks/scripts.js'
import { lockClient, lockDatabase, listLocks } from '../../src/locks/store.js'

const by = { actor: 'admin:tester', ip: '127.0.0.1', userAgent: null }

t.test('retrying a lock whose index write was lost completes it, once', async t => {
  const h = await buildTestApp(t)
  const s = h.app.services
  const db = 'db-half-lock-00001'
  const link = await newLink(h.app, db)
  t.equal(await lockScripts(s.redis).bsbLockClient(s.keys.client(db, link.clientId), 'first attempt', String(Date.now()), by.actor), 1, 'the record is locked; the index write never happened')
  t.notOk((await listLocks(s)).clients.some(c => c.client_id === link.clientId), 'ops cannot see it yet')

  t.equal(await lockClient(s, db, link.clientId, 'retry', by), true, 'the retry completes the lock')
  t.ok((await listLocks(s)).clients.some(c => c.client_id === link.clientId), 'listed for ops')
  t.equal(await lockClient(s, db, link.clientId, 'again', by), false, 'a third call is a no-op')
  const events = (await s.audit.forClient(link.clientId, 20)).filter(e => e.type === 'lock_set')
  t.equal(events.length, 1, 'one lock_set event')

  t.equal(await lockScripts(s.redis).bsbLockDb(s.keys.dbLock(db), 'first attempt', String(Date.now()), by.actor), 1)
  t.equal(await lockDatabase(s, db, 'retry', by), true, 'a half-done database lock is completed too')
  t.ok((await listLocks(s)).databases.some(d => d.db_uuid === db))
})
