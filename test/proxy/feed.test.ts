import t from 'tap'
import { request } from 'undici'
import { buildTestApp } from '../helpers/app.js'
import { createOdooClient } from '../helpers/odoo-client.js'
import { linkSandboxBank } from '../helpers/linked-client.js'
import { freePort } from '../helpers/net.js'
import type { ProviderId } from '../../providers/types.js'

const BANKS: Array<[ProviderId, string]> = [['plaid', 'US'], ['yodlee', 'US'], ['saltedge', 'BE'], ['ponto', 'BE'], ['enablebanking', 'FI']]
const ACCOUNT_KEYS_17 = ['online_identifier', 'name', 'account_number', 'balance', 'currency_code', 'inverse_balance_sign', 'inverse_transaction_sign'].sort()
const TX_KEYS = new Set(['online_transaction_identifier', 'date', 'amount', 'payment_ref', 'partner_name', 'account_number', 'transaction_details', 'online_partner_information', 'foreign_currency_code', 'amount_currency', 'end_to_end_uuid'])

for (const [provider, country] of BANKS) {
  t.test(`${provider}: link, accounts, full history, pendings apart, only new lines on the next fetch`, async t => {
    const port = await freePort()
    const h = await buildTestApp(t, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` })
    await h.app.listen({ port, host: '127.0.0.1' })
    const db = `db-feed-${provider}-0001`
    await h.app.services.subscriptions.set(db, 'enterprise', '2099-12-31', 'test')
    const link = await linkSandboxBank(h, provider, country, 'Sandbox Ordinary Bank', db)
    const odoo = createOdooClient(h.app, link, { dbUuid: db, now: h.clock.now })
    const call = odoo.call

    const acc = await call('/proxy/v1/accounts', {})
    t.ok(acc.result, JSON.stringify(acc.error ?? {}))
    t.equal(acc.result.accounts.length, 2, 'two accounts per consent')
    for (const a of acc.result.accounts) t.same(Object.keys(a).sort(), ACCOUNT_KEYS_17, '17.0 gets only its account fields')
    t.notOk('swift_code' in acc.result, 'no swift_code before 18')
    const acc19 = await call('/proxy/v1/accounts', {}, '19.0')
    t.ok('available_balance' in acc19.result.accounts[0], '19.0 gets available_balance')
    t.ok('swift_code' in acc19.result, '19.0 gets swift_code')
    const acc16 = await call('/proxy/v1/accounts', {}, '14.0')
    t.notOk('inverse_balance_sign' in acc16.result.accounts[0], '14.0 has no inverse_* fields')
    const account = acc.result.accounts[0]

    const posted: any[] = []
    let nextData: unknown = null
    let pages = 0
    do {
      const r = await call('/proxy/v1/transactions', { account_id: account.online_identifier, start_date: false, last_transaction_identifier: false, include_pendings: pages === 0, next_data: nextData })
      t.ok(r.result, JSON.stringify(r.error ?? {}))
      posted.push(...r.result.transactions)
      if (pages === 0) {
        const pendIds = new Set(r.result.pendings.map((p: any) => p.online_transaction_identifier))
        t.ok(r.result.pendings.every((p: any) => !('online_partner_information' in p)), 'pendings have no online_partner_information')
        t.notOk(posted.some(p => pendIds.has(p.online_transaction_identifier)), 'pending entries never appear among posted ones')
        t.ok(typeof r.result.balance === 'number')
      }
      nextData = r.result.next_data
      pages++
    } while (nextData !== null && pages < 50)
    t.ok(posted.length > 100, `a long history (${posted.length} lines)`)
    t.equal(new Set(posted.map(p => p.online_transaction_identifier)).size, posted.length, 'identifiers unique')
    t.ok(posted.every(p => /^\d{4}-\d{2}-\d{2}$/.test(p.date) && typeof p.amount === 'number' && Object.keys(p).every(k => TX_KEYS.has(k))), 'dates, amounts and fields')
    t.ok(posted.every(p => !('end_to_end_uuid' in p)), 'no end_to_end_uuid before 19')
    const dates = posted.map(p => p.date)
    t.same(dates, [...dates].sort(), 'ordered by date')

    const last = posted[posted.length - 1]
    const again = await call('/proxy/v1/transactions', { account_id: account.online_identifier, start_date: last.date, last_transaction_identifier: last.online_transaction_identifier })
    t.same(again.result.transactions, [], 'nothing already imported comes back')

    const providerAccountId = (await h.app.services.providers.get(provider)!.adapter.listAccounts((await import('../../src/link/store.js').then(m => m.readLink(h.app.services, db, link.clientId)))!.connection!, null)).accounts.find(a => a.id === account.online_identifier)!.providerAccountId
    const today = new Date().toISOString().slice(0, 10)
    const added = await request(`http://127.0.0.1:${port}/sandbox/${provider}/_control/transactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account_id: providerAccountId, date: today, amount: '-12.30', description: 'NEW COFFEE', pending: false }) })
    t.equal(added.statusCode < 300, true, `control route: ${await added.body.text()}`)
    let refreshed = await call('/proxy/v1/refresh', { account_id: account.online_identifier })
    if (refreshed.result?.success === false) {
      t.match(refreshed.result.display_message, /next refresh is possible after/, 'a refused refresh says when the next one is allowed')
      h.clock.offset += 61 * 60_000
      refreshed = await call('/proxy/v1/refresh', { account_id: account.online_identifier })
    }
    t.ok(refreshed.result, JSON.stringify(refreshed.error ?? refreshed.result))
    if (refreshed.result?.currently_fetching === true) {
      h.clock.offset += 10 * 60_000
    }
    const fresh = await call('/proxy/v1/transactions', { account_id: account.online_identifier, start_date: last.date, last_transaction_identifier: last.online_transaction_identifier })
    t.ok(fresh.result, JSON.stringify(fresh.error ?? {}))
    const news = fresh.result?.transactions ?? []
    t.equal(news.length, 1, `the second fetch returns only the new line: ${JSON.stringify(news).slice(0, 300)}`)
    t.equal(news[0]?.amount, -12.3)
    t.match(news[0]?.payment_ref ?? '', /NEW COFFEE/)
  })
}
