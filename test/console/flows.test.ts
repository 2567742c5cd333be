/**
 * Console flows over app.inject (the app listens so the Twilio Verify sandbox is reached over HTTP):
 * support looks up references, ops finds a client and locks, sends a code, unlocks, resets a
 * freeze; support sees but cannot act; the console shares the admin surface's rate limits.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { adminCall, call, isLockedEnvelope, lastCode, listeningApp, newLink, registerPhone, wrongCode } from '../locks/helpers.js'
import { consoleAgent, textOf } from './helpers.js'

// One listening app for the file; each test has its own database and phone.
const h = await listeningApp(t, { DETECT_WRONG_CODES: '100' })
const outboxCount = async (phone: string): Promise<number> => ((await (await fetch(`${h.base}/sandbox/twilio/outbox?to=${encodeURIComponent(phone)}`)).json()) as unknown[]).length

async function lockedClient (db: string, phone: string) {
  const link = await newLink(h.app, db)
  await registerPhone(h, db, phone)
  const r = await adminCall(h, 'POST', `/admin/clients/${link.clientId}/lock`, 'ops', { reason: 'test lock' })
  if (r.statusCode !== 200) throw new Error(`lock failed: ${r.body}`)
  return link
}

t.test('support: a reference from a real failing proxy call, every field of a record, an unknown reference', async t => {
  const db = 'db-console-ref-0001'
  const link = await lockedClient(db, '+32470000011')
  const refused = await call(h.app, '/proxy/v1/accounts', link, { db })
  const reference = refused.error.data.error_reference as string
  const support = await consoleAgent(h, 'support', 'sam')
  const page = await support.get(`/console/errors?reference=${reference}`)
  t.equal(page.statusCode, 200)
  const text = textOf(page.body)
  t.match(text, `Error reference ${reference}`)
  t.match(text, /What the user was told We detected suspicious activity and locked your bank synchronization/)
  t.match(text, /What to do next Check the lock reason/)
  t.match(text, /Error code BSB_ACCOUNT_LOCKED \(Odoo error code 403\)/)
  t.match(text, `Client ${link.clientId}`)
  t.match(text, `Database ${db}`)
  t.match(text, /Endpoint POST \/proxy\/v1\/accounts \(proxy\)/)
  t.match(page.body, `<a href="/console/clients/${link.clientId}">`, 'the client is a link')

  const crafted = 'ref_0123456789abcdefghjk'
  await h.app.services.errors.save({ reference: crafted, time: new Date().toISOString(), code: 'BSB_PROVIDER_DOWN', odoo_code: 503, surface: 'proxy', endpoint: 'POST /proxy/v1/transactions', client_id: link.clientId, db_uuid: db, provider: 'ponto', provider_code: '<script>alert(1)</script>', provider_request_id: 'req-"quoted"-42', user_message: 'Your bank & co are down', detail: 'ponto: 503 from /accounts', next_step: 'Check the provider\'s status', request_id: 'req_abc' })
  const full = await support.get(`/console/errors?reference=${crafted}`)
  const fullText = textOf(full.body)
  for (const expected of ['Provider ponto', 'Provider code &lt;script&gt;alert(1)&lt;/script&gt;', 'Provider request id req-&quot;quoted&quot;-42', 'Your bank &amp; co are down', 'Internal detail ponto: 503 from /accounts', 'Request id req_abc']) t.match(fullText, expected)
  t.notMatch(full.body, /<script>/, 'escaped')

  const unknown = await support.get('/console/errors?reference=ref_zzzzzzzzzzzzzzzzzzzz')
  t.equal(unknown.statusCode, 404)
  t.match(textOf(unknown.body), /No error record for ref_zzzzzzzzzzzzzzzzzzzz/)
})

t.test('ops: find a client, lock it, send a code, a wrong code, then the right one; audited with the admin identity', async t => {
  const db = 'db-console-ops-00001'
  const phone = '+32470000091'
  const link = await newLink(h.app, db)
  await registerPhone(h, db, phone)
  const ops = await consoleAgent(h, 'ops', 'olivia')
  const found = await ops.get(`/console/clients?client_id=${link.clientId}`)
  t.equal(found.statusCode, 303)
  t.equal(found.headers.location, `/console/clients/${link.clientId}`)
  const before = textOf((await ops.get(found.headers.location as string)).body)
  t.match(before, /Subscription enterprise, until 2099-12-31 Registered phone \*\*\*91/)
  t.match(before, /Locked No/)
  t.match(before, /Provider plaid/)

  const locked = await ops.post(`/console/clients/${link.clientId}/lock`, { reason: 'customer called: stolen laptop', scope: 'client' })
  t.equal(locked.statusCode, 303)
  t.equal(locked.headers.location, `/console/clients/${link.clientId}?done=locked`)
  t.ok(isLockedEnvelope(await call(h.app, '/proxy/v1/accounts', link, { db })), 'the proxy refuses the client')
  const lockedPage = textOf((await ops.get(locked.headers.location as string)).body)
  t.match(lockedPage, /Locked\. Every proxy call of this client is refused/)
  t.match(lockedPage, /Locked Yes Reason by ops: customer called: stolen laptop/)
  t.match(lockedPage, /Send unlock code/)

  const sent = await ops.post(`/console/clients/${link.clientId}/unlock-code`)
  t.equal(sent.headers.location, `/console/clients/${link.clientId}?done=code_sent`)
  t.match(textOf((await ops.get(sent.headers.location as string)).body), /a code was sent to that phone/)
  const code = await lastCode(h.base, phone)
  const tooSoon = await ops.post(`/console/clients/${link.clientId}/unlock-code`)
  t.equal(tooSoon.statusCode, 429, 'the SMS limits of the API hold: 30 s between sends')
  t.ok(Number(tooSoon.headers['retry-after']) >= 1)
  t.match(textOf(tooSoon.body), /Too many codes/)

  const wrong = await ops.post(`/console/clients/${link.clientId}/unlock`, { code: wrongCode(code) })
  t.equal(wrong.statusCode, 422)
  t.match(textOf(wrong.body), new RegExp(`This code is wrong, expired or already used.*Reference: ref_\\w+.*Back to the client`))
  t.match(wrong.body, `href="/console/clients/${link.clientId}"`)
  const unlocked = await ops.post(`/console/clients/${link.clientId}/unlock`, { code })
  t.equal(unlocked.headers.location, `/console/clients/${link.clientId}?done=unlocked`)
  t.ok((await call(h.app, '/proxy/v1/get_access_token', link, { db })).result?.access_token, 'the client is served again')

  const after = (await ops.get(`/console/clients/${link.clientId}`)).body
  t.match(textOf(after), /Locked No/)
  for (const type of ['lock_set', 'unlock_code_sent', 'unlock_code_failed', 'lock_cleared']) t.match(textOf(after), new RegExp(`${type} admin:olivia`), `${type} listed with the admin`)
  t.notMatch(after, /470000091/, 'never the phone')
  t.notMatch(after, link.refreshToken, 'never a token')
  t.notMatch(after, link.accessToken, 'never a token')
  const audit = (await h.app.services.audit.forClient(link.clientId, 50)).filter(e => e.type !== 'client_created')
  t.ok(audit.length >= 4)
  for (const e of audit) t.equal(e.actor, 'admin:olivia', `${e.type} carries the admin identity`)
})

t.test('support sees a locked client but has no buttons, and its POSTs are refused (403)', async t => {
  const db = 'db-console-sup-00001'
  const phone = '+32470000022'
  const link = await lockedClient(db, phone)
  const support = await consoleAgent(h, 'support', 'sam')
  const page = await support.get(`/console/clients/${link.clientId}`)
  t.equal(page.statusCode, 200)
  t.match(textOf(page.body), /Locked Yes Reason by ops: test lock/)
  t.match(textOf(page.body), /Read only: your role is support/)
  t.notMatch(page.body, /<button type="submit"[^>]*>(Lock|Send unlock code|Unlock|Reset)<\/button>/, 'no action buttons')
  for (const [action, fields] of [['lock', { reason: 'support tries' }], ['unlock-code', {}], ['unlock', { code: '123456' }], ['reset', {}]] as const) {
    const res = await support.post(`/console/clients/${link.clientId}/${action}`, fields)
    t.equal(res.statusCode, 403, action)
    t.match(textOf(res.body), /Your role does not allow this action|ops role required/, action)
  }
  t.equal(await outboxCount(phone), 0, 'no code sent')
  t.ok(isLockedEnvelope(await call(h.app, '/proxy/v1/accounts', link, { db })), 'still locked')
  t.notOk((await h.app.services.audit.forClient(link.clientId, 50)).some(e => e.actor === 'admin:sam'), 'nothing done in support\'s name')
})

t.test('a frozen client shows Reset; ops reset clears the freeze, not the lock', async t => {
  const db = 'db-console-frz-00001'
  const phone = '+32470000033'
  const link = await lockedClient(db, phone)
  const ops = await consoleAgent(h)
  const url = `/console/clients/${link.clientId}`
  for (let round = 0; round < 2; round++) {
    t.equal((await ops.post(`${url}/unlock-code`)).statusCode, 303)
    const code = await lastCode(h.base, phone)
    for (let i = 0; i < 5; i++) t.equal((await ops.post(`${url}/unlock`, { code: wrongCode(code) })).statusCode, 422)
    h.clock.offset += 601_000
  }
  const frozen = await ops.get(url)
  t.match(textOf(frozen.body), /Frozen Yes/)
  t.match(frozen.body, />Reset<\/button>/)
  t.notMatch(frozen.body, />Send unlock code<\/button>/, 'no code can be sent while frozen')
  const reset = await ops.post(`${url}/reset`)
  t.equal(reset.headers.location, `${url}?done=reset`)
  const after = textOf((await ops.get(reset.headers.location as string)).body)
  t.match(after, /Freeze cleared/)
  t.match(after, /Locked Yes .* Frozen No/)
  t.match((await h.app.services.audit.forClient(link.clientId, 50)).find(e => e.type === 'freeze_reset'), { actor: 'admin:tester', detail: /was frozen=true after 10 failures/ })
  h.clock.offset = 0
})

t.test('the list of locks links to each client, database-wide locks with their clients', async t => {
  const a = await lockedClient('db-console-lst-00001', '+32470000044')
  const b = await newLink(h.app, 'db-console-lst-00002')
  const ops = await consoleAgent(h)
  t.equal((await ops.post(`/console/clients/${b.clientId}/lock`, { reason: 'whole database', scope: 'database' })).statusCode, 303)
  const page = await ops.get('/console/locks')
  t.match(page.body, `<a href="/console/clients/${a.clientId}">${a.clientId}</a>`)
  t.match(textOf(page.body), /db-console-lst-00002 by ops: whole database .* admin:tester/)
  t.match(page.body, `<a href="/console/clients/${b.clientId}">`, 'a locked database lists its clients')
})

t.test('the console shares the admin rate limits: exactly RATE_LIMIT_ADMIN_IP and RATE_LIMIT_ADMIN_USER pass', async t => {
  const perIp = await buildTestApp(t, { RATE_LIMIT_ADMIN_IP: '6' })
  const agent = await consoleAgent(perIp) // GET sign-in, POST sign-in, GET /console: 3 requests
  t.equal((await adminCall(perIp, 'GET', '/admin/locks', 'support')).statusCode, 200, '4th (admin API)')
  t.equal((await agent.get('/console/locks')).statusCode, 200, '5th')
  t.equal((await agent.get('/console')).statusCode, 200, '6th')
  const refused = await agent.get('/console')
  t.equal(refused.statusCode, 429, '7th refused')
  t.match(refused.headers['content-type'], /^text\/html/)
  t.ok(Number(refused.headers['retry-after']) >= 1)
  t.equal(refused.headers['ratelimit-limit'], '6')
  t.match(textOf(refused.body), /Too many requests .* Reference: ref_\w+/)
  t.equal((await adminCall(perIp, 'GET', '/admin/locks', 'support')).statusCode, 429, 'and the admin API shares the budget')

  const perUser = await buildTestApp(t, { RATE_LIMIT_ADMIN_USER: '3' })
  const alice = await consoleAgent(perUser, 'ops', 'alice') // GET /console counts 1 for alice
  t.equal((await alice.get('/console')).statusCode, 200)
  t.equal((await alice.get('/console')).statusCode, 200)
  t.equal((await alice.get('/console')).statusCode, 429, 'the 4th request of alice')
  const bob = await consoleAgent(perUser, 'ops', 'bob')
  t.equal((await bob.get('/console')).statusCode, 200, 'another admin is not affected')
})
