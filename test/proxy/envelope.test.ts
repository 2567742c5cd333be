import t, { type Test } from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { odooUtils } from '../helpers/odoo-client.js'

const DB = 'db-env-0000-1111'

function assertEnvelopeError (t: Test, res: { statusCode: number, headers: Record<string, unknown>, body: string }, code?: number): void {
  t.equal(res.statusCode, 200, 'HTTP 200 like odoofin')
  t.match(String(res.headers['content-type']), /^application\/json/)
  const body = JSON.parse(res.body)
  t.equal(body.jsonrpc, '2.0')
  t.equal(body.id, null)
  t.type(body.error.code, 'number')
  if (code !== undefined) t.equal(body.error.code, code)
  t.type(body.error.message, 'string')
  t.type(body.error.data.message, 'string')
  t.match(body.error.data.error_reference, /^ref_[0-9a-z]{20}$/)
  t.notMatch(res.body, /\n\s+at\s|node_modules|\/work\//, 'no stack trace or path')
}

t.test('bad input on /proxy answers the envelope with a reference', async t => {
  const { app } = await buildTestApp(t)
  const cases: Array<{ name: string, payload: string, type?: string, url?: string, code?: number }> = [
    { name: 'garbage body', payload: '{not json' },
    { name: 'array body', payload: '[1,2]' },
    { name: 'empty body', payload: '' },
    { name: 'wrong content type', payload: 'a=b', type: 'application/x-www-form-urlencoded', code: 415 },
    { name: 'text/plain', payload: '{}', type: 'text/plain', code: 415 },
    { name: 'oversized body', payload: JSON.stringify({ x: 'a'.repeat(1_100_000) }), code: 413 },
    { name: 'proto poisoning', payload: '{"__proto__":{"x":1},"utils":{"db_uuid":"' + DB + '"}}' },
    { name: 'missing utils', payload: '{"exchange_token":"x"}' },
    { name: 'unknown path', payload: JSON.stringify({ utils: odooUtils({ dbUuid: DB }) }), url: '/proxy/v1/does_not_exist', code: 404 },
    { name: 'unknown v2 path', payload: '{}', url: '/proxy/v2/nothing', code: 404 },
    { name: 'unsigned call to a signed endpoint', payload: JSON.stringify({ utils: odooUtils({ dbUuid: DB }) }), url: '/proxy/v1/get_access_token', code: 100 }
  ]
  for (const c of cases) {
    await t.test(c.name, async t => {
      const res = await app.inject({ method: 'POST', url: c.url ?? '/proxy/v1/exchange_token', headers: { 'content-type': c.type ?? 'application/json' }, payload: c.payload })
      assertEnvelopeError(t, res, c.code)
    })
  }
  const get = await app.inject({ method: 'GET', url: '/proxy/v1/exchange_token' })
  assertEnvelopeError(t, get, 404)
})

t.test('every error reference is unique and has a record support can read', async t => {
  const { app, adminToken } = await buildTestApp(t)
  const refs = new Set<string>()
  for (let i = 0; i < 50; i++) {
    const res = await app.inject({ method: 'POST', url: '/proxy/v1/exchange_token', headers: { 'content-type': 'application/json' }, payload: '{oops' })
    refs.add(res.json().error.data.error_reference)
  }
  t.equal(refs.size, 50)
  const ref = [...refs][0] as string
  const rec = await app.inject({ method: 'GET', url: `/admin/errors/${ref}`, headers: { authorization: `Bearer ${await adminToken('support')}` } })
  t.equal(rec.statusCode, 200)
  t.match(rec.json(), { reference: ref, code: 'BSB_INVALID_REQUEST', endpoint: 'POST /proxy/v1/exchange_token', user_message: String, next_step: String })
})

t.test('an internal failure answers the envelope without leaking the cause', async t => {
  const { app, logs } = await buildTestApp(t)
  app.services.exchangeTokens.consume = async () => { throw new Error('secret internals /etc/passwd') }
  const res = await app.inject({ method: 'POST', url: '/proxy/v1/exchange_token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ exchange_token: 'x'.repeat(20), utils: odooUtils({ dbUuid: DB }) }) })
  assertEnvelopeError(t, res, 500)
  t.notMatch(res.body, /secret internals/)
  const ref = res.json().error.data.error_reference
  t.ok(logs.some(l => l.includes(ref) && l.includes('"level":50')), 'logged once at error level with the reference')
})

t.test('error records live 90 days; flood-prone refusals only one day', async t => {
  const { app, redis, prefix } = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/proxy/v1/exchange_token', headers: { 'content-type': 'application/json' }, payload: '{x' })
  const ttl = await redis.ttl(`${prefix}err:${res.json().error.data.error_reference}`)
  t.ok(ttl > 89 * 86_400 && ttl <= 90 * 86_400, `ttl ${ttl}`)
  const { recordTtlSeconds } = await import('../../src/support/references.js')
  t.equal(recordTtlSeconds('BSB_RATE_LIMITED'), 86_400)
})

t.test('logged URLs carry no query string and no link-session id', async t => {
  const { logUrl } = await import('../../src/logger.js')
  t.equal(logUrl('/link/callback/ponto?code=secret&state=x'), '/link/callback/ponto')
  t.equal(logUrl('/link/s/abcdef123456/phone/send'), '/link/s/[session]/phone/send')
  t.equal(logUrl('/proxy/v1/accounts'), '/proxy/v1/accounts')
})
