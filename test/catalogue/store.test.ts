/**
 * The Redis catalogue: one refresher at a time (lock), every key with a TTL, a failing provider
 * keeps its previous listing, and instances rebuild their index when the version changes.
 */
import t from 'tap'
import { createCatalogueStore, CATALOGUE_TTL_SECONDS } from '../../src/catalogue/store.js'
import { createCatalogue } from '../../src/catalogue/service.js'
import { startLinkApp } from '../link/helpers.js'

t.test('refresh, lock, TTLs, partial failure and index rebuild', async t => {
  const la = await startLinkApp(t)
  const s = la.app.services
  const store = createCatalogueStore(s)
  for (let i = 0; i < 100 && (await store.currentVersion()) === null; i++) await new Promise(resolve => setTimeout(resolve, 100))
  const first = await store.currentVersion()
  t.ok(first, 'the app refreshed on start (listen)')
  for (let i = 0; i < 100 && await la.redis.exists(s.keys.catalogue('lock')) === 1; i++) await new Promise(resolve => setTimeout(resolve, 100))

  await la.redis.set(s.keys.catalogue('lock'), 'someone-else', 'PX', 60_000)
  t.same(await store.refresh(), { version: null, locked: true }, 'another instance holds the lock: no refresh')
  await la.redis.del(s.keys.catalogue('lock'))

  const service = createCatalogue(s, { versionCheckMs: 0 })
  const before = await service.index()
  t.ok(before.search('ordinary', { country: 'BE' }).length === 1)

  const ponto = s.providers.get('ponto')?.adapter as { listInstitutions: (c?: string) => Promise<unknown[]> }
  const original = ponto.listInstitutions
  ponto.listInstitutions = async () => { throw new Error('ponto is down') }
  t.teardown(() => { ponto.listInstitutions = original })
  const second = (await store.refresh()).version
  t.ok(second !== null && second !== first, 'a new version')
  const meta = await store.meta(second as string)
  t.same(meta?.failed, ['ponto'])
  t.equal(meta?.counts.ponto, 35, 'Ponto keeps its previous listing')
  const ttl = await la.redis.ttl(s.keys.catalogue(`data:${second as string}`))
  t.ok(ttl > 0 && ttl <= CATALOGUE_TTL_SECONDS, 'data has a TTL')
  t.ok(await la.redis.ttl(s.keys.catalogue('version')) > 0, 'version has a TTL')
  const old = await la.redis.ttl(s.keys.catalogue(`data:${first as string}`))
  t.ok(old > 0 && old <= 3600, 'the replaced version lives one more hour')
  t.equal(await la.redis.exists(s.keys.catalogue('lock')), 0, 'lock released')

  const after = await service.index()
  t.not(after, before, 'the index was rebuilt for the new version')
  t.equal(after.search('ordinary', { country: 'BE' })[0]?.primary.provider, 'ponto')
})

t.test('when no provider answers, nothing is written and searches do not hang', async t => {
  const { buildTestApp } = await import('../helpers/app.js')
  const { freePort } = await import('../link/helpers.js')
  const ta = await buildTestApp(t, { PUBLIC_URL: `http://127.0.0.1:${await freePort()}`, PROVIDERS: 'ponto,plaid' })
  const service = createCatalogue(ta.app.services, { versionCheckMs: 0 })
  const started = Date.now()
  const index = await service.index()
  t.equal(index.size, 0)
  t.ok(Date.now() - started < 30_000, `answered in ${Date.now() - started} ms`)
  t.equal(await ta.redis.exists(ta.app.services.keys.catalogue('version')), 0, 'no empty version stored for two days')
})
