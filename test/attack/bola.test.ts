/**
 * BOLA across databases (OWASP API1): databases A and B each link a bank of the same sandbox provider. Client B,
 * signing correctly with its own tokens, aims every identifier-taking /proxy endpoint at A's
 * objects (account ids, transaction ids, client id in the body, provider_data): it only ever
 * reaches its own data or an error, A's data and lock stay as they were, and nothing B receives
 * contains any of A's identifiers. Header games (A's client id with B's tokens; A's client from
 * B's database) are refused, the latter with a security event.
 */
import t from 'tap'
import { buildAttackApp } from './support/app.js'
import { linkSandboxBank } from '../helpers/linked-client.js'
import { signedCall, type OdooLink } from '../helpers/odoo-client.js'
import { readLink } from '../../src/link/store.js'

const TX_PATHS = ['/proxy/v1/transactions', '/proxy/v2/transactions/posted', '/proxy/v2/transactions/pending']

t.test('client B can never read or change what belongs to client A', async t => {
  const h = await buildAttackApp(t, {}, { listen: true })
  const s = h.app.services
  const dbA = 'db-bola-aaaa-0001'
  const dbB = 'db-bola-bbbb-0002'
  for (const db of [dbA, dbB]) await s.subscriptions.set(db, 'enterprise', '2099-12-31', 'test')
  const a: OdooLink = await linkSandboxBank(h, 'ponto', 'BE', 'Sandbox Ordinary Bank', dbA)
  const b: OdooLink = await linkSandboxBank(h, 'ponto', 'BE', 'Sandbox Three Months Bank', dbB)
  const asA = async (path: string, fields: Record<string, unknown> = {}) => (await signedCall(h.app, path, a, fields, { dbUuid: dbA, serverVersion: '19.0' })).body
  const seenByB: string[] = []
  const asB = async (path: string, fields: Record<string, unknown> = {}, link: OdooLink = b, dbUuid = dbB) => {
    const body = (await signedCall(h.app, path, link, fields, { dbUuid, serverVersion: '19.0' })).body
    seenByB.push(JSON.stringify(body))
    return body
  }

  const aAccounts: string[] = (await asA('/proxy/v1/accounts')).result.accounts.map((x: { online_identifier: string }) => x.online_identifier)
  const aTx: string[] = (await asA('/proxy/v1/transactions', { account_id: aAccounts[0], start_date: false })).result.transactions.map((x: { online_transaction_identifier: string }) => x.online_transaction_identifier)
  const bAccounts: string[] = (await asB('/proxy/v1/accounts')).result.accounts.map((x: { online_identifier: string }) => x.online_identifier)
  t.equal(aAccounts.length, 2, 'A sees its two accounts')
  t.ok(aTx.length > 10, `A sees its history (${aTx.length} lines)`)
  t.equal(bAccounts.filter(id => aAccounts.includes(id)).length, 0, 'A and B accounts have distinct identifiers (the test can tell them apart)')
  const aLinkBefore = JSON.stringify(await readLink(s, dbA, a.clientId))
  const aIds = [a.clientId, a.accessToken, a.refreshToken, dbA, ...aAccounts, ...aTx.slice(0, 200)]
  const aAsProviderData = { client_id: a.clientId, account_id: aAccounts[0], online_identifier: aAccounts[0], db_uuid: dbA }

  for (const id of aAccounts) {
    const listed = await asB('/proxy/v1/accounts', { online_identifier: id, provider_data: aAsProviderData, client_id: a.clientId })
    t.same(listed.result?.accounts, [], `accounts filtered on A's ${id.slice(0, 8)}…: nothing`)
    for (const path of [...TX_PATHS, '/proxy/v1/refresh']) {
      const r = await asB(path, { account_id: id, start_date: false, provider_data: aAsProviderData, account_data: aAsProviderData })
      t.equal(r.error?.data?.exception_type, 'BSB_ACCOUNT_NOT_FOUND', `${path} on A's account: not found`)
    }
  }
  const ownHistory = await asB('/proxy/v1/transactions', { account_id: bAccounts[0], start_date: false, last_transaction_identifier: aTx[aTx.length - 1] })
  t.ok(ownHistory.result?.transactions.length > 0, 'B with A\'s last_transaction_identifier still gets its own whole history')
  for (const path of ['/proxy/v1/consent_expiring_date', '/proxy/v2/connection_status']) {
    t.ok((await asB(path, { provider_data: aAsProviderData, account_data: aAsProviderData, client_id: a.clientId })).result, `${path} answers about B only`)
  }
  const access = await asB('/proxy/v1/authorize_access', { linked_accounts: aAccounts, record_access_token: 'b'.repeat(32), provider_data: aAsProviderData })
  t.equal(access.result?.has_unlinked_accounts, true, 'authorize_access with A\'s accounts as "linked": B still has its own unlinked accounts')

  const forged = await asB('/proxy/v1/accounts', {}, { clientId: a.clientId, accessToken: b.accessToken, refreshToken: b.refreshToken })
  t.equal(forged.error?.code, 100, 'A\'s client id with B\'s tokens: invalid signature')
  const mixed = await asB('/proxy/v1/accounts', {}, { clientId: b.clientId, accessToken: a.accessToken, refreshToken: b.refreshToken })
  t.ok(mixed.error !== undefined && mixed.result === undefined, `B's client id with A's access token: refused (${mixed.error?.code as number})`)
  t.equal(JSON.stringify(await readLink(s, dbA, a.clientId)), aLinkBefore, 'A\'s link (accounts, consent, record access) is unchanged')
  t.ok((await asA('/proxy/v1/accounts')).result, 'A still works')

  const ops = { authorization: `Bearer ${await h.adminToken('ops')}`, 'content-type': 'application/json' }
  const lock = await h.app.inject({ method: 'POST', url: `/admin/clients/${a.clientId}/lock`, headers: ops, payload: JSON.stringify({ reason: 'bola test', scope: 'database' }) })
  t.equal(lock.json().locked, true, 'ops lock A\'s database')
  t.equal((await asA('/proxy/v1/accounts')).error?.data?.exception_type, 'BSB_ACCOUNT_LOCKED', 'A is locked')
  t.ok((await asB('/proxy/v1/accounts')).result, 'B is not affected by A\'s lock')
  for (const path of ['/proxy/v1/get_access_token', '/proxy/v1/renew_token', '/proxy/v1/authorize_access']) {
    const r = await asB(path, { client_id: a.clientId, db_uuid: dbA, provider_data: aAsProviderData })
    t.ok(r.result, `${path} with A's ids in the body works on B's own client`)
    if (typeof r.result?.access_token === 'string') b.accessToken = r.result.access_token
    if (typeof r.result?.refresh_token === 'string') b.refreshToken = r.result.refresh_token
  }
  t.equal((await asA('/proxy/v1/accounts')).error?.data?.exception_type, 'BSB_ACCOUNT_LOCKED', 'A is still locked')

  const stolen = await signedCall(h.app, '/proxy/v1/accounts', a, {}, { dbUuid: dbB })
  seenByB.push(JSON.stringify(stolen.body))
  t.equal(stolen.body.error?.code, 300, 'A\'s client used from B\'s database: refused with the link redirect')
  t.equal(stolen.body.error?.data?.mode, 'link', 'mode link: Odoo asks the user to link again')
  const events = await s.audit.forClient(a.clientId, 50)
  t.ok(events.some(e => e.type === 'client_foreign_db'), 'and a security event on A')

  t.equal((await asB('/proxy/v1/delete_user', { client_id: a.clientId, provider_data: aAsProviderData })).result?.delete, true, 'B deletes... itself')
  const after = await h.app.inject({ method: 'GET', url: `/admin/clients/${a.clientId}`, headers: { authorization: ops.authorization } })
  t.equal(after.statusCode, 200, 'A still exists after B\'s delete_user')
  const locks = (await h.app.inject({ method: 'GET', url: '/admin/locks', headers: { authorization: ops.authorization } })).json()
  t.ok(locks.databases.some((d: { db_uuid: string }) => d.db_uuid === dbA), 'A\'s lock was not lifted by anything B did')
  t.equal((await asA('/proxy/v1/accounts')).error?.data?.exception_type, 'BSB_ACCOUNT_LOCKED', 'A is still locked')
  t.not(await readLink(s, dbA, a.clientId), null, 'A\'s link data is still there')
  t.equal((await h.app.inject({ method: 'GET', url: `/admin/clients/${b.clientId}`, headers: { authorization: ops.authorization } })).statusCode, 404, 'B is gone')

  const leaks = aIds.filter(id => seenByB.some(body => body.includes(id)))
  t.same(leaks, [], `none of A's ${aIds.length} identifiers appear in the ${seenByB.length} answers B received`)
})
