import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { odooUtils } from '../helpers/odoo-client.js'

const completed = (logs: string[]): Array<Record<string, any>> => logs.map(l => JSON.parse(l)).filter(l => l.msg === 'request completed')

t.test('each request logs one access line: its id, method, path and status, and nothing secret', async t => {
  const { app, logs } = await buildTestApp(t)
  const res = await app.inject({
    method: 'POST',
    url: '/proxy/v1/get_access_token?code=CANARY-QUERY-7731',
    headers: {
      'content-type': 'application/json',
      'odoofin-client-id': 'client-access-log-5512',
      'odoofin-access-token': 'CANARY-TOKEN-0042',
      'odoofin-timestamp': String(Math.floor(Date.now() / 1000)),
      'odoofin-signature': 'CANARY-SIGNATURE-9090'
    },
    payload: JSON.stringify({ utils: odooUtils({ dbUuid: 'db-access-log-0001' }), refresh_token: 'CANARY-REFRESH-1234' })
  })
  t.equal(res.statusCode, 200)
  const lines = completed(logs)
  t.equal(lines.length, 1, 'one line per request')
  const line = lines[0] as Record<string, any>
  t.equal(line.reqId, res.headers['x-request-id'], 'the id the caller got back')
  t.same(line.req, { method: 'POST', url: '/proxy/v1/get_access_token', id: res.headers['x-request-id'] }, 'path without its query string')
  t.equal(line.res.statusCode, 200)
  t.type(line.responseTime, 'number')
  t.equal(line.level, 30)
  const refusal = logs.map(l => JSON.parse(l)).find(l => l.msg === 'request refused')
  t.equal(refusal?.reqId, res.headers['x-request-id'], 'a line logged while handling the request carries its id too')
  t.notMatch(logs.join('\n'), /CANARY/, 'no token, signature, query or body value in any log line (the client id is not secret: support needs it)')
})

t.test('a link-session id never reaches the access log', async t => {
  const { app, logs } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/link/s/sessioncanary0123456789abcdef/phone' })
  const line = completed(logs).find(l => l.reqId === res.headers['x-request-id'])
  t.ok(line, 'the request was logged')
  t.equal(line?.req.url, '/link/s/[session]/phone')
  t.equal(line?.res.statusCode, res.statusCode)
  t.notMatch(logs.join('\n'), /sessioncanary/)
})

t.test('every answer carries its request id: success, refusal, unknown route, malformed body', async t => {
  const { app } = await buildTestApp(t)
  const answers = [
    await app.inject({ method: 'GET', url: '/health' }),
    await app.inject({ method: 'POST', url: '/proxy/v1/get_access_token', headers: { 'content-type': 'application/json' }, payload: '{}' }),
    await app.inject({ method: 'GET', url: '/no/such/route' }),
    await app.inject({ method: 'POST', url: '/proxy/v1/exchange_token', headers: { 'content-type': 'application/json' }, payload: '{not json' }),
    await app.inject({ method: 'POST', url: '/proxy/v1/exchange_token', headers: { 'content-type': 'application/json', 'x-request-id': 'odoo-given-id-1' }, payload: '{}' })
  ]
  const ids = answers.map(a => a.headers['x-request-id'])
  for (const id of ids) t.match(id, /^[A-Za-z0-9_-]{1,64}$/)
  t.equal(new Set(ids).size, ids.length, 'one id per request')
  t.equal(ids[4], 'odoo-given-id-1', 'a well-formed id from the caller is kept')
})
