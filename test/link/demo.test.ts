/** The /demo Odoo stand-in: sandbox only, provisions its database, trades the token and signs like Odoo. */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import { buildTestApp } from '../helpers/app.js'
import { dataBlock, linkBank, startLinkApp } from './helpers.js'

async function api (base: string, name: string, body: unknown): Promise<any> {
  const res = await request(`${base}/demo/api/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return await res.body.json()
}

t.test('the demo page, its provisioning, exchange and signed calls', async t => {
  const la = await startLinkApp(t)
  const page = await request(`${la.base}/demo`)
  const html = await page.body.text()
  t.equal(page.statusCode, 200)
  t.match(html, /Add a bank account/)
  t.match(page.headers['content-security-policy'], /script-src 'self'/)
  const db = randomUUID()
  const prov = await api(la.base, 'provision', { dbUuid: db })
  t.equal(prov.subscription.edition, 'enterprise')
  t.ok(prov.subscription.expiresOn > new Date(Date.now() + 364 * 86_400_000).toISOString().slice(0, 10), 'about a year')
  const bad = await api(la.base, 'exchange', { dbUuid: db, exchangeToken: 'x'.repeat(30) })
  t.equal(bad.error?.code, 400, 'the broker\'s envelope error is passed through')
  const done = await linkBank(la, db, { phone: '+32470000501' })
  const token = dataBlock(done).events?.[0]?.data
  const ok = await api(la.base, 'exchange', { dbUuid: db, exchangeToken: token })
  t.match(ok.result?.client_id, /^cl_/)
  t.notOk(JSON.stringify(ok).includes('refresh_token'), 'the browser never sees the refresh token')
  const stored = await la.redis.hgetall(la.app.services.keys.demoClients(db))
  t.ok(stored[ok.result.client_id], 'credentials kept server side')
  t.ok((await la.redis.ttl(la.app.services.keys.demoClients(db))) > 0, 'with a TTL')
  const accounts = await api(la.base, 'accounts', { dbUuid: db })
  const first = accounts.links[0].response
  t.ok(first.result !== undefined || first.error !== undefined, 'an envelope from /proxy/v1/accounts')
  if (first.result !== undefined) t.equal(first.result.accounts.length, 2, 'the sandbox consent gives two accounts')
  const sync = await api(la.base, 'transactions', { dbUuid: db })
  t.equal(sync.links.length, 1)
})

t.test('no demo outside sandbox mode', async t => {
  const ta = await buildTestApp(t, {
    PROVIDER_MODE: 'live',
    PROVIDERS: 'ponto',
    PONTO_BASE_URL: 'https://api.ibanity.com',
    PONTO_CLIENT_ID: 'x',
    PONTO_CLIENT_SECRET: 'y'
  }).catch(err => { t.comment(`live config not buildable here: ${(err as Error).message}`); return null })
  if (ta === null) return
  const res = await ta.app.inject({ method: 'GET', url: '/demo' })
  t.equal(res.statusCode, 404)
})
