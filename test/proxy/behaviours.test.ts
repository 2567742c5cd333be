import t from 'tap'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createOdooClient } from '../helpers/odoo-client.js'
import { linkSandboxBank } from '../helpers/linked-client.js'
import { freePort } from '../helpers/net.js'
import { request } from 'undici'
import { readLink } from '../../src/link/store.js'
import type { ProviderId } from '../../providers/types.js'

const BANKS: Array<[ProviderId, string]> = [['plaid', 'US'], ['yodlee', 'US'], ['saltedge', 'BE'], ['ponto', 'BE'], ['enablebanking', 'FI']]
const DAY = 86_400_000

async function linked (t: Parameters<typeof buildTestApp>[0], provider: ProviderId, country: string, bank: string) {
  const port = await freePort()
  const h: TestApp = await buildTestApp(t, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` })
  await h.app.listen({ port, host: '127.0.0.1' })
  const db = `db-beh-${provider}-0001`
  await h.app.services.subscriptions.set(db, 'enterprise', '2099-12-31', 'test')
  const link = await linkSandboxBank(h, provider, country, bank, db)
  const odoo = createOdooClient(h.app, link, { dbUuid: db, now: h.clock.now })
  const accounts = (await odoo.call('/proxy/v1/accounts', {})).result.accounts
  return { h, odoo, db, clientId: link.clientId, accountId: accounts[0].online_identifier as string }
}

async function allPosted (odoo: ReturnType<typeof createOdooClient>, accountId: string, cron = false): Promise<any> {
  const rows: any[] = []
  let next: unknown = null
  let first: any
  do {
    const r = await odoo.call('/proxy/v1/transactions', { account_id: accountId, start_date: false, include_pendings: next === null, next_data: next }, '17.0', cron)
    if (r.error) return r
    first ??= r.result
    rows.push(...r.result.transactions)
    next = r.result.next_data
  } while (next !== null)
  return { result: { transactions: rows, pendings: first.pendings } }
}

for (const [provider, country] of BANKS) {
  t.test(`${provider}: the daily bank refreshes once a day and says when the next refresh is allowed`, async t => {
    const { h, odoo, accountId } = await linked(t, provider, country, 'Sandbox Daily Refresh Bank')
    const first = await odoo.call('/proxy/v1/refresh', { account_id: accountId })
    h.clock.offset += 20 * 60_000
    const second = await odoo.call('/proxy/v1/refresh', { account_id: accountId })
    t.ok(first.result && second.result, JSON.stringify(first.error ?? second.error ?? {}))
    t.equal(second.result.success, false, 'second refresh of the day refused')
    t.match(second.result.display_message, /next refresh is possible after|try again later/)
  })

  t.test(`${provider}: the manual-only bank under cron asks to turn automatic sync off`, async t => {
    const { odoo, accountId } = await linked(t, provider, country, 'Sandbox Manual Sync Bank')
    const res = await odoo.call('/proxy/v1/refresh', { account_id: accountId }, '17.0', true)
    t.equal(res.error?.data?.exception_type, 'BSB_MANUAL_SYNC_ONLY')
    t.match(res.error?.data?.message, /Automatic synchronization/)
    t.match(res.error?.data?.error_reference, /^ref_/)
    const present = await odoo.call('/proxy/v1/refresh', { account_id: accountId })
    t.notOk(present.error?.data?.exception_type === 'BSB_MANUAL_SYNC_ONLY', 'with the user present it is allowed')
  })

  t.test(`${provider}: the three-month bank with start_date false gives 90 days`, async t => {
    const { h, odoo, accountId } = await linked(t, provider, country, 'Sandbox Three Months Bank')
    const r = await allPosted(odoo, accountId)
    t.ok(r.result, JSON.stringify(r.error ?? {}))
    const earliest = r.result.transactions[0]?.date as string
    t.ok(earliest >= new Date(h.clock.now() - 92 * DAY).toISOString().slice(0, 10), `earliest ${earliest} within three months`)
    t.ok(r.result.transactions.length > 20)
  })

  t.test(`${provider}: a pending line posts later and never shows twice`, async t => {
    const { h, odoo, accountId, db, clientId } = await linked(t, provider, country, 'Sandbox Ordinary Bank')
    const s = h.app.services
    const link = await readLink(s, db, clientId)
    const providerAccountId = (await s.providers.get(provider)!.adapter.listAccounts(link!.connection!, null)).accounts.find(a => a.id === accountId)!.providerAccountId
    const control = async (path: string, body: object): Promise<{ key: string }> => {
      const res = await request(`${h.config.publicUrl}/sandbox/${provider}/_control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      const json = await res.body.json() as { key: string }
      t.ok(res.statusCode < 300, `control ${path}: ${JSON.stringify(json)}`)
      return json
    }
    const today = () => new Date(h.clock.now()).toISOString().slice(0, 10)
    const resync = async () => {
      h.clock.offset += 61 * 60_000
      await odoo.call('/proxy/v1/refresh', { account_id: accountId })
      h.clock.offset += 11 * 60_000
      return await allPosted(odoo, accountId)
    }
    const { key } = await control('transactions', { account_id: providerAccountId, date: today(), amount: '-4.20', description: 'PENDING COFFEE', pending: true })
    const before = await resync()
    t.ok(before.result, JSON.stringify(before.error ?? {}))
    const pendingRow = before.result.pendings.find((p: any) => /PENDING COFFEE/.test(p.payment_ref))
    t.ok(pendingRow, 'the pending line is listed among pendings')
    t.notOk(before.result.transactions.some((p: any) => /PENDING COFFEE/.test(p.payment_ref)), 'and not among posted lines')
    await control('transactions/post', { account_id: providerAccountId, key })
    const after = await resync()
    t.ok(after.result, JSON.stringify(after.error ?? {}))
    const postedRows = after.result.transactions.filter((p: any) => /PENDING COFFEE/.test(p.payment_ref))
    t.equal(postedRows.length, 1, 'the posted version arrives once')
    t.equal(postedRows[0]?.amount, -4.2)
    t.notOk(after.result.pendings.some((p: any) => /PENDING COFFEE/.test(p.payment_ref)), 'the pending version is gone')
    t.not(postedRows[0]?.online_transaction_identifier, pendingRow?.online_transaction_identifier, 'a pending id is never reused for the posted line')
  })

}

for (const [provider, country] of BANKS.filter(([p]) => p === 'ponto' || p === 'enablebanking' || p === 'saltedge')) {
  t.test(`${provider}: after consent expiry the client is sent to updateCredentials`, async t => {
    const { h, odoo, accountId } = await linked(t, provider, country, 'Sandbox Ordinary Bank')
    t.ok((await odoo.call('/proxy/v1/transactions', { account_id: accountId, start_date: false })).result)
    h.clock.offset += 200 * DAY
    let v17 = await odoo.call('/proxy/v1/refresh', { account_id: accountId })
    if (v17.result?.currently_fetching === true) {
      // Asynchronous providers (Ponto synchronizations) report the failure when the refresh ends.
      h.clock.offset += 60_000
      v17 = await odoo.call('/proxy/v1/transactions', { account_id: accountId, start_date: false })
    }
    t.equal(v17.error?.code, 300, JSON.stringify(v17.error ?? v17.result).slice(0, 300))
    t.equal(v17.error?.data?.mode, 'updateCredentials')
    const v18 = await odoo.call('/proxy/v1/refresh', { account_id: accountId }, '18.0')
    t.same(v18.result, { success: false, code: 300, data: { mode: 'updateCredentials' } })
  })
}
