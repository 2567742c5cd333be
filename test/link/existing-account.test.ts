/**
 * connect_existing_account: Odoo grants its existing link's accounts to a new link pop-up with
 * `/proxy/v1/authorize_access` (record_access_token), the pop-up lists the accounts Odoo has not
 * activated, and choosing one posts exactly `{client_id, online_identifier}` (plus 19's
 * journal_type), which Odoo then uses to fetch that account.
 */
import t from 'tap'
import { randomBytes, randomUUID } from 'node:crypto'
import { signedCall } from '../helpers/odoo-client.js'
import { lockClient } from '../../src/locks/store.js'
import { accountsOfferedTo } from '../../src/link/existing-accounts.js'
import { dataBlock, follow, linkedDatabase, post, provision, start, startLinkApp, submit, type LinkApp, type Page } from './helpers.js'

/** Odoo's record_access_token: base64 of a uuid4's 16 bytes. */
const odooToken = (): string => randomBytes(16).toString('base64')

async function authorize (la: LinkApp, db: string, link: Parameters<typeof signedCall>[2], linked: string[], token?: string): Promise<any> {
  const res = await signedCall(la.app, '/proxy/v1/authorize_access', link, { linked_accounts: linked, ...(token !== undefined ? { record_access_token: token } : {}) }, { dbUuid: db })
  return res.body
}

const offeredButtons = (page: Page): string[] => [...page.html.matchAll(/<button type="submit" name="account" value="\d+">([^<]+)</g)].map(m => (m[1] as string).trim())

t.test('the pop-up offers the accounts Odoo has not activated, and posts connect_existing_account', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const { link, accounts } = await linkedDatabase(la, db)
  const [activated, free] = accounts as [Record<string, any>, Record<string, any>]
  const token = odooToken()
  const granted = await authorize(la, db, link, [activated.online_identifier], token)
  t.same(granted.result?.has_unlinked_accounts, true, 'one account is still without a journal')

  const existing = await start(la, { db, include: { recordAccessToken: token } })
  t.match(existing.url, /\/link\/s\/[A-Za-z0-9_-]{32}\/existing$/, 'phone already verified: the existing accounts come first')
  t.match(existing.html, /<h1[^>]*>Add an account you already connected<\/h1>/)
  t.same(offeredButtons(existing), [free.name], 'only the account Odoo has not activated, named after it')
  t.match(existing.html, /<h2>Sandbox Ordinary Bank<\/h2>/, 'grouped under its bank')
  t.match(existing.html, new RegExp(`ending in ${(free.account_number as string).slice(-4)}<`), 'masked number: its last four characters')
  t.notMatch(existing.html, new RegExp(free.account_number as string), 'never the full number')
  t.match(existing.html, new RegExp(`<span class="detail">${free.currency_code as string}</span>`), 'its currency')
  t.match(existing.html, />Add a new bank</)

  const refused = await submit(existing, '/existing', { account: '0', csrf: 'forged' })
  t.equal(refused.status, 403, 'a wrong CSRF token is refused')
  const done = await follow(await submit(existing, '/existing', { account: '0' }))
  t.match(done.url, /\/done$/)
  t.match(done.html, /Your account is being added/)
  const data = dataBlock(done)
  t.equal(data.hostOrigin, 'https://odoo.example.com')
  t.same(data.events, [{ event: 'connect_existing_account', data: { client_id: link.clientId, online_identifier: free.online_identifier } }], 'exactly what Odoo\'s connect_existing_account reads; no exchange token, no success')

  // What Odoo does next (account_online.py connect_existing_account → _fetch_accounts(online_identifier)).
  const fetched = await signedCall(la.app, '/proxy/v1/accounts', link, { online_identifier: free.online_identifier }, { dbUuid: db })
  t.same(fetched.body.result?.accounts.map((a: any) => a.online_identifier), [free.online_identifier], 'the posted identifier names that account of that client')

  // Odoo activates it and grants again: nothing is left to offer.
  const again = await authorize(la, db, link, [activated.online_identifier, free.online_identifier], odooToken())
  t.same(again.result?.has_unlinked_accounts, false)
  const audit = await la.app.services.audit.recent(20)
  t.ok(audit.some(e => e.type === 'existing_account_chosen' && e.clientId === link.clientId), 'the choice is audited')
})

t.test('Odoo 19: journal_type rides along; "Add a new bank" goes to the search', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const { link, accounts } = await linkedDatabase(la, db)
  const token = odooToken()
  await authorize(la, db, link, [], token)
  const existing = await start(la, { db, serverVersion: '19.0', include: { recordAccessToken: token, journal_type: 'credit' } })
  t.equal(offeredButtons(existing).length, accounts.length, 'nothing activated yet: every account is offered')
  const done = await follow(await submit(existing, '/existing', { account: '1' }))
  t.same(dataBlock(done).events?.[0]?.data, { client_id: link.clientId, online_identifier: accounts[1]?.online_identifier, journal_type: 'credit' })

  const other = await start(la, { db, include: { recordAccessToken: token } })
  const search = await follow(await submit(other, '/existing', { new: 'yes' }))
  t.match(search.url, /\/search$/)
  t.match(search.html, /Search for your bank/)
  const back = await follow(await post(other.url.replace(/\/existing$/, '/existing'), { csrf: 'x', account: '0' }))
  t.match(back.url, /\/search$/, 'once a new bank is chosen, the existing step is over')
})

t.test('nothing is offered without a valid grant of this database', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  const otherDb = randomUUID()
  await provision(la, db)
  await provision(la, otherDb)
  const { link } = await linkedDatabase(la, db)
  const token = odooToken()
  await authorize(la, db, link, [], token)

  const wrongToken = await start(la, { db, include: { recordAccessToken: odooToken() } })
  t.match(wrongToken.url, /\/search$/, 'an unknown token grants nothing')
  const noToken = await start(la, { db })
  t.match(noToken.url, /\/search$/, 'no token, no existing accounts')
  const clicked = await start(la, { db, clicked: 'ponto:does-not-matter', include: { recordAccessToken: token } })
  t.notMatch(clicked.url, /\/existing$/, 'a bank clicked on the dashboard means a new connection')
  t.same(await accountsOfferedTo(la.app.services, otherDb, token), [], 'another database never sees them, even with the token')
  t.equal((await accountsOfferedTo(la.app.services, db, token)).length, 2, 'while this database does')

  la.clock.offset += 61 * 60_000
  const late = await start(la, { db, include: { recordAccessToken: token } })
  t.match(late.url, /\/search$/, 'a grant lasts an hour')
  la.clock.offset = 0

  const fresh = odooToken()
  await authorize(la, db, link, [], fresh)
  await lockClient(la.app.services, db, link.clientId, 'test', { actor: 'admin:tester' })
  const locked = await start(la, { db, include: { recordAccessToken: fresh } })
  t.match(locked.url, /\/search$/, 'a locked link offers nothing')
})

t.test('authorize_access without a token only records the activated accounts', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const { link, accounts } = await linkedDatabase(la, db)
  const all = accounts.map(a => a.online_identifier as string)
  t.same((await authorize(la, db, link, all)).result, { has_unlinked_accounts: false })
  t.same((await authorize(la, db, link, all.slice(1))).result, { has_unlinked_accounts: true })
  const sealed = await la.redis.hget(la.app.services.keys.link(db, link.clientId), 'access')
  t.ok(sealed, 'stored beside the link data')
  t.notOk((sealed as string).includes(all[1] as string), 'sealed at rest')
})
