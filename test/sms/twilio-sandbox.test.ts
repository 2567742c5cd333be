import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { twilioSandbox, type OutboxEntry } from '../../src/sms/twilio-sandbox.js'
import { createSmsVerifier, SmsError, type SmsLogger } from '../../src/sms/verify.js'

const ACCOUNT = 'AC' + 'a1'.repeat(16)
const TOKEN = 'sandbox-auth-token'
const SERVICE = 'VA' + 'b2'.repeat(16)
const TWILIO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

let clock = Date.parse('2026-03-01T09:00:00Z')
const app = Fastify()
await app.register(twilioSandbox, { prefix: '/sandbox/twilio', accountSid: ACCOUNT, authToken: TOKEN, serviceSid: SERVICE, now: () => clock })
await app.listen({ host: '127.0.0.1', port: 0 })
t.teardown(async () => { await app.close() })
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/sandbox/twilio`

const logs: string[] = []
const logger: SmsLogger = { info: (o, m) => { logs.push(JSON.stringify(o) + m) }, warn: (o, m) => { logs.push(JSON.stringify(o) + m) } }
const sms = createSmsVerifier({ accountSid: ACCOUNT, authToken: TOKEN, serviceSid: SERVICE, sandboxBaseUrl: base, logger })

async function outbox (to: string): Promise<OutboxEntry[]> {
  const res = await fetch(`${base}/outbox`)
  return ((await res.json()) as OutboxEntry[]).filter(e => e.to === to)
}
const lastCode = async (to: string): Promise<string> => (await outbox(to)).at(-1)?.code ?? 'none'
const wrong = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0')
const auth = 'Basic ' + Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')
async function api (method: string, path: string, form?: Record<string, string>, authorization = auth): Promise<{ status: number, headers: Headers, body: Record<string, unknown> }> {
  const res = await fetch(`${base}/v2${path}`, {
    method,
    headers: { authorization, ...(form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form !== undefined ? new URLSearchParams(form).toString() : undefined
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> }
}

t.test('send, wrong code, right code, then the verification is gone', async t => {
  const to = '+33612345601'
  const sent = await sms.send(to)
  t.equal(sent.status, 'pending')
  t.match(sent.sid, /^VE[0-9a-f]{32}$/)
  const entries = await outbox(to)
  t.equal(entries.length, 1)
  t.match(entries[0], { to, channel: 'sms', code: /^\d{6}$/, time: /^\d{4}-\d\d-\d\dT[\d:.]+Z$/ })
  const code = entries[0].code
  t.same(await sms.check(to, wrong(code)), { approved: false })
  t.same(await sms.check(to, 'abc'), { approved: false }, 'malformed code never reaches Twilio')
  t.same(await sms.check(to, code), { approved: true })
  await t.rejects(sms.check(to, code), { name: 'SmsError', kind: 'expired', twilioCode: 20404, status: 404 })
})

t.test('resend within validity re-sends the same pending code', async t => {
  const to = '+33612345602'
  const first = await sms.send(to)
  const second = await sms.send(to)
  t.equal(second.sid, first.sid)
  const entries = await outbox(to)
  t.equal(entries.length, 2)
  t.equal(entries[0].code, entries[1].code)
  const fetched = await api('GET', `/Services/${SERVICE}/Verifications/${first.sid}`)
  t.equal((fetched.body.send_code_attempts as unknown[]).length, 2)
})

t.test('a sixth send within 10 minutes is refused (60203)', async t => {
  const to = '+33612345603'
  for (let i = 0; i < 5; i++) await sms.send(to)
  await t.rejects(sms.send(to), { name: 'SmsError', kind: 'too_many_sends', twilioCode: 60203, status: 429 })
  t.equal((await outbox(to)).length, 5, 'the refused send sent nothing')
})

t.test('five wrong checks lock the verification (60202)', async t => {
  const to = '+33612345604'
  await sms.send(to)
  const code = await lastCode(to)
  for (let i = 0; i < 5; i++) t.same(await sms.check(to, wrong(code)), { approved: false })
  await t.rejects(sms.check(to, code), { name: 'SmsError', kind: 'too_many_checks', twilioCode: 60202, status: 429 }, 'right code fails once locked')
  await t.rejects(sms.send(to), { name: 'SmsError', kind: 'too_many_sends' }, 'no fresh code until the locked one expires')
})

t.test('a code expires after 10 minutes (sandbox clock)', async t => {
  const to = '+33612345605'
  const first = await sms.send(to)
  const code = await lastCode(to)
  clock += 10 * 60_000 + 1_000
  await t.rejects(sms.check(to, code), { name: 'SmsError', kind: 'expired', twilioCode: 20404 })
  const again = await sms.send(to)
  t.not(again.sid, first.sid, 'a send after expiry starts a new verification')
  t.same(await sms.check(to, await lastCode(to)), { approved: true })
})

t.test('numbers that are not E.164 are rejected (60200)', async t => {
  for (const to of ['0612345678', '+33 6 12 34 56 78', '+0612345678', 'not-a-number']) {
    await t.rejects(sms.send(to), { name: 'SmsError', kind: 'invalid_number', twilioCode: 60200, status: 400 }, to)
  }
})

t.test('wrong credentials or service are a misconfiguration, not the user\'s fault', async t => {
  const badToken = createSmsVerifier({ accountSid: ACCOUNT, authToken: 'wrong', serviceSid: SERVICE, sandboxBaseUrl: base })
  await t.rejects(badToken.send('+33612345606'), { name: 'SmsError', kind: 'unavailable', misconfigured: true, twilioCode: 20003, status: 401 })
  await t.rejects(badToken.check('+33612345606', '123456'), { name: 'SmsError', kind: 'unavailable', misconfigured: true, twilioCode: 20003 })
  const badService = createSmsVerifier({ accountSid: ACCOUNT, authToken: TOKEN, serviceSid: 'VA' + 'c3'.repeat(16), sandboxBaseUrl: base })
  await t.rejects(badService.send('+33612345606'), { name: 'SmsError', kind: 'unavailable', misconfigured: true, twilioCode: 20404 })
  t.equal((await outbox('+33612345606')).length, 0)
})

t.test('a Twilio that never answers fails fast', async t => {
  const silent = createServer(() => {})
  await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { silent.closeAllConnections(); silent.close() })
  const port = (silent.address() as AddressInfo).port
  const stuck = createSmsVerifier({ accountSid: ACCOUNT, authToken: TOKEN, serviceSid: SERVICE, sandboxBaseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 })
  const started = Date.now()
  const err = await stuck.send('+33612345607').catch((e: unknown) => e)
  t.ok(err instanceof SmsError)
  t.match(err, { kind: 'unavailable' })
  t.ok(Date.now() - started < 2_000)
})

t.test('logs mask the phone number and never carry codes', async t => {
  t.ok(logs.length > 0)
  const all = logs.join('\n')
  t.notMatch(all, /\+336123456\d\d/)
  const res = await fetch(`${base}/outbox`)
  for (const { code } of (await res.json()) as OutboxEntry[]) t.notOk(all.includes(code), 'no code in logs')
  t.match(all, /\*\*\*0[1-5]/)
})

t.test('raw wire format matches Twilio Verify v2', async t => {
  const to = '+14155550108'
  const created = await api('POST', `/Services/${SERVICE}/Verifications`, { To: to, Channel: 'sms' })
  t.equal(created.status, 201)
  t.same(Object.keys(created.body).sort(), ['account_sid', 'amount', 'channel', 'date_created', 'date_updated', 'lookup', 'payee', 'send_code_attempts', 'service_sid', 'sid', 'sna', 'status', 'to', 'url', 'valid'])
  const sid = created.body.sid as string
  t.match(created.body, { service_sid: SERVICE, account_sid: ACCOUNT, to, channel: 'sms', status: 'pending', valid: false, amount: null, payee: null, sna: null, date_created: TWILIO_DATE, date_updated: TWILIO_DATE })
  t.equal(created.body.url, `https://verify.twilio.com/v2/Services/${SERVICE}/Verifications/${sid}`)
  t.match(created.body.send_code_attempts, [{ attempt_sid: /^VL[0-9a-f]{32}$/, channel: 'sms', time: String }])

  const check = await api('POST', `/Services/${SERVICE}/VerificationCheck`, { VerificationSid: sid, Code: wrong(await lastCode(to)) })
  t.equal(check.status, 200)
  t.same(Object.keys(check.body).sort(), ['account_sid', 'amount', 'channel', 'date_created', 'date_updated', 'payee', 'service_sid', 'sid', 'sna_attempts_error_codes', 'status', 'to', 'valid'])
  t.match(check.body, { sid, status: 'pending', valid: false })

  const fetched = await api('GET', `/Services/${SERVICE}/Verifications/${sid}`)
  t.match(fetched, { status: 200, body: { sid, status: 'pending' } })
  const canceled = await api('POST', `/Services/${SERVICE}/Verifications/${sid}`, { Status: 'canceled' })
  t.match(canceled, { status: 200, body: { sid, status: 'canceled' } })
  const afterCancel = await api('POST', `/Services/${SERVICE}/VerificationCheck`, { To: to, Code: await lastCode(to) })
  t.same(afterCancel.body, { code: 20404, message: `The requested resource /Services/${SERVICE}/VerificationCheck was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 })
  t.equal(afterCancel.status, 404)

  const unauthorized = await api('POST', `/Services/${SERVICE}/Verifications`, { To: to, Channel: 'sms' }, 'Basic ' + Buffer.from(`${ACCOUNT}:nope`).toString('base64'))
  t.equal(unauthorized.status, 401)
  t.equal(unauthorized.headers.get('www-authenticate'), 'Basic realm="Twilio API"')
  t.same(unauthorized.body, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 })

  const invalid = await api('POST', `/Services/${SERVICE}/Verifications`, { To: '12345', Channel: 'sms' })
  t.match(invalid, { status: 400, body: { code: 60200, more_info: 'https://www.twilio.com/docs/errors/60200', status: 400 } })
  const badChannel = await api('POST', `/Services/${SERVICE}/Verifications`, { To: to, Channel: 'pigeon' })
  t.match(badChannel, { status: 400, body: { code: 60200, message: 'Invalid parameter: Channel' } })
})
