/** Error paths against the sandbox: Yodlee auth codes, token renewal, Y804, refresh limits, link health. */
import t from 'tap'
import { request } from 'undici'
import { addDays, isoDate } from '../../../providers/sandbox-kit/history.js'
import { SANDBOX_CREDENTIALS } from '../../../providers/yodlee/credentials.js'
import type { Account, Connection } from '../../../providers/types.js'
import { T0, US, collect, control, link, startSandbox, type Harness } from './harness.js'

async function token (h: Harness, loginName: string): Promise<string> {
  const res = await request(`${h.baseUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', loginName, 'Api-Version': '1.1' },
    body: new URLSearchParams({ clientId: SANDBOX_CREDENTIALS.clientId, secret: SANDBOX_CREDENTIALS.secret }).toString()
  })
  t.equal(res.statusCode, 201)
  const body = await res.body.json() as { token: { accessToken: string, expiresIn: number } }
  t.equal(body.token.expiresIn, 1800)
  return body.token.accessToken
}

async function get (h: Harness, path: string, headers: Record<string, string>): Promise<{ status: number, body: any }> {
  const res = await request(`${h.baseUrl}${path}`, { headers })
  return { status: res.statusCode, body: await res.body.json() }
}

async function drain (h: Harness, conn: Connection, account: Account): Promise<number> {
  const pages = await collect(h.adapter.syncTransactions(conn, { account, fromDate: addDays(isoDate(h.now()), -3), toDate: isoDate(h.now()), syncState: null, userPresent: false, psu: null }))
  return pages.flatMap(p => p.upserts).length
}

t.test('bad client credentials: misconfigured with Yodlee\'s code, not retried', async t => {
  const h = await startSandbox(t)
  const adapter = h.makeAdapter({ secret: 'wrong' })
  await t.rejects(adapter.listInstitutions(), { name: 'ProviderError', kind: 'misconfigured', providerCode: 'Y301', httpStatus: 400, providerRequestId: /^u\d+/ })
  t.equal(h.requests.filter(r => r === 'POST /auth/token').length, 1)
})

t.test('sandbox rejects requests as Yodlee does', async t => {
  const h = await startSandbox(t)
  const tok = await token(h, 'user-abc')
  t.match(await get(h, '/accounts', { 'Api-Version': '1.1' }), { status: 401, body: { errorCode: 'Y007', errorMessage: 'Authorization header missing', referenceCode: /.+/ } })
  t.match(await get(h, '/accounts', { authorization: `Bearer ${tok}` }), { status: 401, body: { errorCode: 'Y016' } })
  t.match(await get(h, '/accounts', { authorization: 'Bearer forged', 'Api-Version': '1.1' }), { status: 401, body: { errorCode: 'Y020' } })
  t.match(await get(h, '/accounts', { authorization: `Basic ${tok}`, 'Api-Version': '1.1' }), { status: 401, body: { errorCode: 'Y008' } })
  const ok = { authorization: `Bearer ${tok}`, 'Api-Version': '1.1' }
  t.same(await get(h, '/accounts', ok), { status: 200, body: {} }, 'Yodlee answers {} for an empty list')
  t.same((await get(h, '/transactions?top=501', ok)).body.errorCode, 'Y804')
  t.match(await get(h, '/transactions?top=501', ok), { status: 400, body: { errorMessage: 'Permitted values of top between 1 - 500' } })
  t.match(await get(h, '/transactions?fromDate=2025-03-10&toDate=2025-03-01', ok), { status: 400, body: { errorCode: 'Y809' } })
  t.match(await get(h, '/transactions?fromDate=2025-02-30', ok), { status: 400, body: { errorCode: 'Y800', errorMessage: 'Invalid value for fromDate' } })
  h.clock.ms += 31 * 60_000
  t.match(await get(h, '/accounts', ok), { status: 401, body: { errorCode: 'Y023', errorMessage: 'Token has expired' } })
  const noLogin = await request(`${h.baseUrl}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'Api-Version': '1.1' }, body: 'clientId=a&secret=b' })
  t.match({ status: noLogin.statusCode, body: await noLogin.body.json() }, { status: 401, body: { errorCode: 'Y016' } })
})

t.test('no dates: the last 30 days', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  const tok = await token(h, conn.secrets.loginName as string)
  const account = (await h.adapter.listAccounts(conn, null)).accounts[0]
  const { body } = await get(h, `/transactions?accountId=${account.providerAccountId}`, { authorization: `Bearer ${tok}`, 'Api-Version': '1.1' })
  const dates = (body.transaction as Array<{ date: string }>).map(x => x.date).sort()
  t.ok(dates[0] >= addDays(isoDate(T0), -30))
  t.ok(dates[0] <= addDays(isoDate(T0), -27))
  const count = await get(h, `/transactions/count?accountId=${account.providerAccountId}`, { authorization: `Bearer ${tok}`, 'Api-Version': '1.1' })
  t.same(count.body, { transaction: { TOTAL: { count: dates.length } } })
})

t.test('tokens are cached per loginName and renewed before they expire', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  const tokenCalls = (): number => h.requests.filter(r => r === 'POST /auth/token').length
  const before = tokenCalls()
  await h.adapter.listAccounts(conn, null)
  await h.adapter.listAccounts(conn, null)
  t.equal(tokenCalls(), before, 'cached')
  h.clock.ms += 29 * 60_000
  await h.adapter.listAccounts(conn, null)
  t.equal(tokenCalls(), before + 1, 'renewed shortly before the 30 minutes')
})

t.test('refresh: started, not_ready while running, then 15 minutes before the next', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  const account = (await h.adapter.listAccounts(conn, null)).accounts[0]
  t.same(await h.adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { status: 'started' })
  t.equal(h.requests.filter(r => r === 'PUT /providerAccounts').length, 1)
  await t.rejects(drain(h, conn, account), { name: 'ProviderError', kind: 'not_ready', providerCode: /_IN_PROGRESS$/ })
  t.same(await h.adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { status: 'started' }, 'running refresh not started twice')
  t.equal(h.requests.filter(r => r === 'PUT /providerAccounts').length, 1)
  h.clock.ms += 6_000
  t.ok(await drain(h, conn, account) > 0)
  await t.rejects(h.adapter.refresh(conn, { userPresent: true, psu: null, account: null }), {
    name: 'ProviderError', kind: 'rate_limited', providerCode: 'DISALLOW_UPDATE', nextAllowedAt: new Date(T0 + 15 * 60_000).toISOString(), retryAfterSeconds: 15 * 60 - 6
  })
  t.equal(h.requests.filter(r => r === 'PUT /providerAccounts').length, 1, 'refused without calling PUT')
  h.clock.ms = T0 + 15 * 60_000
  t.same(await h.adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { status: 'started' })
})

t.test('daily bank: one refresh per 24 hours', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.daily)
  t.same(await h.adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { status: 'started' })
  h.clock.ms += 20 * 60_000
  await t.rejects(h.adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { name: 'ProviderError', kind: 'rate_limited', nextAllowedAt: new Date(T0 + 86_400_000).toISOString() })
  h.clock.ms = T0 + 86_400_000
  t.same(await h.adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { status: 'started' })
})

t.test('manual-only bank: unattended refresh needs the user, attended one runs', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.manual)
  await t.rejects(h.adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { name: 'ProviderError', kind: 'user_action_required', providerCode: 'ALLOW_UPDATE_WITH_CREDENTIALS' })
  t.equal(h.requests.filter(r => r === 'PUT /providerAccounts').length, 0)
  t.same(await h.adapter.refresh(conn, { userPresent: true, psu: { ip: '203.0.113.9', userAgent: 'test' }, account: null }), { status: 'started' })
})

t.test('aggregation problems in additionalStatus: re-auth and provider down', async t => {
  const h = await startSandbox(t)
  const conn = await link(h, US.ordinary)
  const account = (await h.adapter.listAccounts(conn, null)).accounts[0]
  const id = conn.secrets.providerAccountId
  t.equal((await control(h, 'provider-accounts/status', { provider_account_id: id, additional_status: 'INCORRECT_CREDENTIALS' })).status, 200)
  await t.rejects(h.adapter.listAccounts(conn, null), { name: 'ProviderError', kind: 'reauth_required', providerCode: 'INCORRECT_CREDENTIALS' })
  await t.rejects(drain(h, conn, account), { name: 'ProviderError', kind: 'reauth_required', providerCode: 'INCORRECT_CREDENTIALS' })
  await t.rejects(h.adapter.refresh(conn, { userPresent: true, psu: null, account: null }), { name: 'ProviderError', kind: 'reauth_required' })
  await control(h, 'provider-accounts/status', { provider_account_id: id, additional_status: 'SITE_UNAVAILABLE' })
  await t.rejects(drain(h, conn, account), { name: 'ProviderError', kind: 'provider_down', providerCode: 'SITE_UNAVAILABLE' })
  t.same(await h.adapter.refresh(conn, { userPresent: false, psu: null, account: null }), { status: 'started' }, 'a site failure may be retried by a refresh')
  h.clock.ms += 6_000
  await t.rejects(drain(h, conn, account), { name: 'ProviderError', kind: 'provider_down', providerCode: 'SITE_UNAVAILABLE' }, 'the refresh failed again')
  await control(h, 'provider-accounts/status', { provider_account_id: id, additional_status: null })
  t.ok(await drain(h, conn, account) >= 0)
})
