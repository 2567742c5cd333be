import t from 'tap'
import { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import { createKeys } from '../../src/store/keys.js'
import { createQuotas, DAY_MS } from '../../src/store/quotas.js'
import { REDIS_URL, deleteByPrefix } from '../helpers/app.js'

async function setup (t: { teardown: (fn: () => unknown) => void }) {
  const prefix = `test:${randomUUID().slice(0, 8)}:`
  const redis = new Redis(REDIS_URL)
  const clock = { now: Date.parse('2026-11-28T10:00:00Z') }
  t.teardown(async () => { await deleteByPrefix(redis, prefix); await redis.quit() })
  return { redis, clock, prefix, quotas: createQuotas(redis, createKeys(prefix), () => clock.now) }
}

t.test('PSD2: 4 unattended calls per account per rolling 24 h, user-present calls not counted', async t => {
  const { quotas, clock } = await setup(t)
  for (let i = 0; i < 4; i++) {
    t.same(await quotas.unattendedAccess('enablebanking', 'acc1', false), { allowed: true }, `unattended call ${i + 1}`)
    clock.now += 3_600_000
  }
  const fifth = await quotas.unattendedAccess('enablebanking', 'acc1', false)
  t.equal(fifth.allowed, false, '5th unattended call refused before reaching the provider')
  if (!fifth.allowed) t.equal(fifth.retryAt, Date.parse('2026-11-29T10:00:00Z'), 'allowed again 24 h after the first')
  t.same(await quotas.unattendedAccess('enablebanking', 'acc1', true), { allowed: true }, 'user present: not limited')
  t.same(await quotas.unattendedAccess('enablebanking', 'acc2', false), { allowed: true }, 'other account: own quota')
  t.same(await quotas.unattendedAccess('plaid', 'acc1', false), { allowed: true }, 'non-PSD2 provider: not limited')
  clock.now = Date.parse('2026-11-29T10:00:01Z')
  t.same(await quotas.unattendedAccess('enablebanking', 'acc1', false), { allowed: true }, 'slot freed after 24 h')
})

t.test('48 scheduler ticks in a simulated day allow exactly 4 unattended refreshes', async t => {
  const { quotas, clock } = await setup(t)
  let allowed = 0
  for (let tick = 0; tick < 48; tick++) {
    if ((await quotas.unattendedAccess('ponto', 'acc', false)).allowed) allowed++
    clock.now += DAY_MS / 48
  }
  t.equal(allowed, 4)
})

t.test('two instances racing share one quota (atomic)', async t => {
  const { quotas, clock, prefix } = await setup(t)
  const secondConnection = new Redis(REDIS_URL)
  t.teardown(async () => { await secondConnection.quit() })
  const other = createQuotas(secondConnection, createKeys(prefix), () => clock.now)
  const results = await Promise.all(Array.from({ length: 40 }, async (_, i) => await (i % 2 === 0 ? quotas : other).dailyRefresh('saltedge', 'acc')))
  t.equal(results.filter(r => r.allowed).length, 1, 'one refresh per day even under 40 concurrent calls')
})

t.test('cool-down after a provider 429 holds for Retry-After across instances', async t => {
  const { quotas, clock } = await setup(t)
  await quotas.coolDown('plaid:item1', 30)
  const during = await quotas.coolingDown('plaid:item1')
  t.equal(during.allowed, false)
  clock.now += 31_000
  t.same(await quotas.coolingDown('plaid:item1'), { allowed: true })
})
