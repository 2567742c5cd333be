/**
 * reliability.md I3: twenty "Sync now" clicks (or cron ticks on several workers) for one account at
 * once ask the provider to refresh once, walk its pages once, and the feed holds no duplicate.
 */
import t from 'tap'
import diagnostics from 'node:diagnostics_channel'
import { buildTestApp } from '../helpers/app.js'
import { createOdooClient } from '../helpers/odoo-client.js'
import { linkSandboxBank } from '../helpers/linked-client.js'
import { freePort } from '../helpers/net.js'

t.test('20 parallel refreshes of one account: one upstream refresh, each page fetched once, no duplicate line', async t => {
  const port = await freePort()
  const h = await buildTestApp(t, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, RATE_LIMIT_PROXY_CLIENT: '1000', DETECT_RATE_FLOOR: '1000' })
  await h.app.listen({ port, host: '127.0.0.1' })
  const db = 'db-sync-race-00001'
  await h.app.services.subscriptions.set(db, 'enterprise', '2099-12-31', 'test')
  const link = await linkSandboxBank(h, 'plaid', 'US', 'Sandbox Ordinary Bank', db)
  const odoo = createOdooClient(h.app, link, { dbUuid: db, now: h.clock.now })
  const accounts = await odoo.call('/proxy/v1/accounts', {})
  const accountId: string = accounts.result.accounts[0].online_identifier

  const fetches: string[] = []
  let refreshes = 0
  const onRequest = (message: unknown): void => {
    const { request } = message as { request: { path: string, body: unknown } }
    if (request.path.includes('/sandbox/plaid/transactions/refresh')) refreshes++
    if (request.path.includes('/sandbox/plaid/transactions/sync')) fetches.push(typeof request.body === 'string' ? request.body : '')
  }
  diagnostics.subscribe('undici:request:create', onRequest)
  t.teardown(() => diagnostics.unsubscribe('undici:request:create', onRequest))

  h.clock.offset += 2 * 3_600_000 // past the feed's freshness window: a refresh must go to the provider
  t.ok((await odoo.call('/proxy/v1/consent_expiring_date', {})).result, 'the client renews its access token first, as Odoo does on 101')
  const answers = await Promise.all(Array.from({ length: 20 }, async () => await odoo.call('/proxy/v1/refresh', { account_id: accountId })))
  t.equal(answers.filter(a => a.result !== undefined).length, 20, 'every caller gets an answer')
  t.ok(answers.every(a => a.result?.success === true || a.result?.currently_fetching === true), 'success, or "currently fetching" while another caller syncs')
  t.equal(refreshes, 1, 'the provider is asked to refresh once, not once per click')
  const cursors = fetches.map(body => (/"cursor":"([^"]*)"/.exec(body) ?? [])[1] ?? '')
  t.equal(new Set(cursors).size, cursors.length, 'no page fetched twice: one walk, not one per caller')

  const lines: any[] = []
  let nextData: unknown = null
  let pages = 0
  do {
    const r = await odoo.call('/proxy/v1/transactions', { account_id: accountId, start_date: false, last_transaction_identifier: false, next_data: nextData })
    t.ok(r.result, JSON.stringify(r.error ?? {}))
    if (r.result === undefined) break
    lines.push(...r.result.transactions)
    nextData = r.result.next_data
    pages++
  } while (nextData !== null && pages < 100)
  t.ok(lines.length > 100, `${lines.length} lines`)
  t.equal(new Set(lines.map(l => l.online_transaction_identifier)).size, lines.length, 'no duplicate transaction')
})
