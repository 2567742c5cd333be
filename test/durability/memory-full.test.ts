/**
 * D7 (reliability.md §4 S8): a Redis that reaches its `maxmemory` must refuse writes
 * (`noeviction`), never make room by evicting keys: an evicted lock is an unlocked account. With
 * `noeviction` every write the broker tries is refused with a reference (BSB_SERVICE_UNAVAILABLE)
 * and every lock stays; the control run with `allkeys-lru` shows locks evicted, which is why the
 * README requires `noeviction`.
 */
import t from 'tap'
import type { Redis } from 'ioredis'
import { startBroker, type Broker } from './broker.js'
import { lockAsOps, registerClient } from './register.js'
import { signedCall, unsignedCall } from '../helpers/odoo-client.js'
import type { TrackedClient } from './writers.js'
import { expectRefusedClientCall, expectRefusedOpsWrite } from './refusals.js'

const DB = 'db-memory-full-0001'
const LOCKED_CLIENTS = 20
const MAXMEMORY = '8mb'
/** Filler sizes, largest first: a big write is refused while its own query buffer still counts, so the last ones are small. */
const FILLER_SIZES = [64 * 1024, 4 * 1024, 256, 16]
/** 40 MB of the largest filler, five times the limit: enough to force a choice between refusing and evicting. */
const MOST_FILLERS = 640

/**
 * Writes filler keys beside the broker's until Redis refuses even a 16-byte one; how many were written
 * and the last refusal (null if Redis never refused).
 */
async function fillMemory (direct: Redis): Promise<{ written: number, refused: string | null }> {
  let written = 0
  let refused: string | null = null
  for (const size of FILLER_SIZES) {
    const filler = 'x'.repeat(size)
    refused = null
    for (let i = 0; i < MOST_FILLERS && refused === null; i++) {
      try {
        await direct.set(`filler:${size}:${i}`, filler)
        written++
      } catch (err) {
        refused = (err as Error).message
      }
    }
    if (refused === null) return { written, refused }
  }
  return { written, refused }
}

/**
 * LOCKED_CLIENTS clients locked by ops, one more left open, and an exchange token not yet traded, all
 * before Redis gets its memory limit.
 */
async function lockedClients (b: Broker, policy: string): Promise<{ locked: TrackedClient[], open: TrackedClient, exchangeToken: string }> {
  await b.direct.config('SET', 'maxmemory-policy', policy)
  await b.h.app.services.subscriptions.set(DB, 'enterprise', '2099-12-31', 'test')
  const admin = await b.h.adminToken('ops')
  const locked: TrackedClient[] = []
  for (let i = 0; i < LOCKED_CLIENTS; i++) {
    const c = await registerClient(b, DB)
    await lockAsOps(b, c, admin)
    locked.push(c)
  }
  const open = await registerClient(b, DB)
  const exchangeToken = await b.h.app.services.exchangeTokens.mint({ dbUuid: DB, link: {} })
  await b.direct.config('SET', 'maxmemory', MAXMEMORY)
  return { locked, open, exchangeToken }
}

const stillLocked = async (b: Broker, locked: TrackedClient[]): Promise<number> =>
  (await Promise.all(locked.map(async c => await b.direct.hget(b.h.app.services.keys.client(DB, c.clientId), 'locked')))).filter(v => v === '1').length

t.test('D7: with noeviction a full Redis refuses writes with a reference and keeps every lock', async t => {
  const b = await startBroker(t, [])
  const { locked, open, exchangeToken } = await lockedClients(b, 'noeviction')
  const fill = await fillMemory(b.direct)
  t.match(fill.refused, /^OOM command not allowed/, `Redis refused even a 16-byte write once full (after ${fill.written} fillers)`)

  const admin = await b.h.adminToken('ops')
  const lock = await b.h.app.inject({ method: 'POST', url: `/admin/clients/${open.clientId}/lock`, headers: { authorization: `Bearer ${admin}` }, payload: { reason: 'memory test' } })
  expectRefusedOpsWrite(t, lock)
  await expectRefusedClientCall(t, b, open)

  const exchange = await unsignedCall(b.h.app, '/proxy/v1/exchange_token', { exchange_token: exchangeToken, company_id: 1, user_id: 2 }, { dbUuid: DB })
  t.equal(exchange.error?.data?.exception_type, 'BSB_SERVICE_UNAVAILABLE', 'a registration with a valid exchange token is refused (its client cannot be written)')
  t.match(exchange.error?.data?.error_reference, /^ref_/, 'with a reference')

  for (const c of locked) {
    const res = await signedCall(b.h.app, '/proxy/v1/accounts', c, {}, { dbUuid: DB })
    t.equal(res.body.error?.data?.exception_type, 'BSB_ACCOUNT_LOCKED', `${c.clientId} is still refused as locked`)
  }
  t.equal(await stillLocked(b, locked), LOCKED_CLIENTS, `all ${LOCKED_CLIENTS} lock records are still in Redis`)
})

t.test('D7 control: with allkeys-lru the same pressure evicts lock records', async t => {
  const b = await startBroker(t, [])
  const { locked } = await lockedClients(b, 'allkeys-lru')
  const fill = await fillMemory(b.direct)
  t.equal(fill.refused, null, 'Redis never refuses: it evicts instead')
  const kept = await stillLocked(b, locked)
  t.comment(`lock records left after the fill: ${kept} of ${LOCKED_CLIENTS}`)
  t.ok(kept < LOCKED_CLIENTS, 'some locks were evicted: accounts unlocked by memory pressure, hence noeviction')
})
