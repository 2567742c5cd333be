import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../helpers/app.js'
import { unsignedCall } from '../helpers/odoo-client.js'
import { linkSandboxBank } from '../helpers/linked-client.js'
import { adminCall, call, isLockedEnvelope, listeningApp, newLink, sharedEnv } from './helpers.js'

const FIELDS = { account_id: 'acc-1', exchange_token: 'x', start_date: false, last_transaction_identifier: false }

type Operation = { parameters?: Array<{ in: string, name: string }> }

/** Client-bound endpoints: those taking the odoofin-* signature headers (the others identify no client). */
function signedProxyPaths (app: FastifyInstance): { signed: string[], unsigned: string[] } {
  const paths = (app.swagger() as { paths: Record<string, Record<string, Operation>> }).paths
  const proxy = Object.entries(paths).filter(([p]) => p.startsWith('/proxy/'))
  const isSigned = (ops: Record<string, Operation>): boolean => Object.values(ops).some(op => op.parameters?.some(x => x.in === 'header' && x.name === 'odoofin-signature') === true)
  return { signed: proxy.filter(([, ops]) => isSigned(ops)).map(([p]) => p), unsigned: proxy.filter(([, ops]) => !isSigned(ops)).map(([p]) => p) }
}

t.test('a locked client is refused on every /proxy/* endpoint but get_access_token, before any provider call', async t => {
  const h = await listeningApp(t)
  const s = h.app.services
  const db = 'db-locked-all-0001'
  await s.subscriptions.set(db, 'enterprise', '2099-12-31', 'test')
  const link = await linkSandboxBank(h, 'plaid', 'US', 'Sandbox Ordinary Bank', db)
  const { signed: paths, unsigned } = signedProxyPaths(h.app)
  t.ok(paths.length >= 11, `${paths.length} client-bound endpoints: ${paths.join(' ')}`)
  t.comment(`not client-bound (no client to refuse): ${unsigned.join(' ')}`)
  let providerLookups = 0
  const get = s.providers.get.bind(s.providers)
  s.providers.get = (id: string) => { providerLookups++; return get(id) }

  const accounts = await call(h.app, '/proxy/v1/accounts', link, { db }, FIELDS)
  t.ok(accounts.result?.accounts.length > 0 && providerLookups > 0, 'positive control: an unlocked client reaches its provider')
  providerLookups = 0

  t.equal((await adminCall(h, 'POST', `/admin/clients/${link.clientId}/lock`, 'ops', { reason: 'suspicious test' })).statusCode, 200)
  const references = new Set<string>()
  // Odoo asks for an access token before it opens the Reconnect pop-up, where the user reactivates:
  // that one answer stays open, and the token it gives reads nothing.
  const renewed = await call(h.app, '/proxy/v1/get_access_token', link, { db })
  t.ok(renewed.result?.access_token, 'get_access_token still answers, so Odoo can open the Reconnect pop-up')
  link.accessToken = renewed.result.access_token
  for (const path of paths.filter(p => p !== '/proxy/v1/get_access_token')) {
    const r = await call(h.app, path, link, { db }, FIELDS)
    t.ok(isLockedEnvelope(r), `${path} refused: ${JSON.stringify(r.error ?? r.result).slice(0, 120)}`)
    t.match(r, { jsonrpc: '2.0', error: { code: 403, message: 'Account locked', data: { odoofin_state: 'disconnected', error_reference: /^ref_/, message: /locked .* for your safety.*code/ } } }, path)
    references.add(r.error.data.error_reference)
  }
  t.equal(references.size, paths.length - 1, 'a distinct reference each time')
  t.equal(providerLookups, 0, 'no provider was called')
  const rec = await s.errors.get([...references][0] as string)
  t.match(rec, { code: 'BSB_ACCOUNT_LOCKED', client_id: link.clientId, detail: /by ops: suspicious test/ })

  await adminCall(h, 'POST', `/admin/clients/${link.clientId}/lock`, 'ops', { reason: 'whole database', scope: 'database' })
  const token = await s.exchangeTokens.mint({ dbUuid: db, link: { provider: 'plaid' } })
  const ex = await unsignedCall(h.app, '/proxy/v1/exchange_token', { exchange_token: token }, { dbUuid: db })
  t.equal(ex.error.data.exception_type, 'BSB_ACCOUNT_LOCKED', 'exchange_token: a locked database gets no new link')
})

t.test('locks hold across instances and survive a restart (they live in Redis)', async t => {
  const env = sharedEnv(t)
  const a = await buildTestApp(t, env)
  const b = await buildTestApp(t, env)
  const db = 'db-locked-multi-001'
  const link = await newLink(a.app, db)
  t.ok((await call(b.app, '/proxy/v1/get_access_token', link, { db })).result, 'instance B serves the client')
  await adminCall(a, 'POST', `/admin/clients/${link.clientId}/lock`, 'ops', { reason: 'cross-instance' })
  t.ok(isLockedEnvelope(await call(b.app, '/proxy/v1/accounts', link, { db })), 'locked on A, refused on B at once')
  await a.app.close()
  await b.app.close()
  const c = await buildTestApp(t, env)
  t.ok(isLockedEnvelope(await call(c.app, '/proxy/v1/accounts', link, { db })), 'a fresh instance still refuses')
  const list = await adminCall(c, 'GET', '/admin/locks', 'support')
  t.match(list.json().clients, [{ client_id: link.clientId, db_uuid: db, reason: 'by ops: cross-instance', frozen: false }])
})
