/**
 * The HTTP surface as an attacker or a misconfigured client meets it (reliability.md M2, M3, F3):
 * undeclared methods, CORS, oversize headers and bodies, long params, slow clients, and the
 * timeouts and limits the server and the outbound client are configured with.
 */
import t from 'tap'
import { connect } from 'node:net'
import { buildTestApp } from '../helpers/app.js'
import { freePort } from '../helpers/net.js'
import { HTTP_LIMITS } from '../../providers/http.js'

async function rawExchange (port: number, chunks: string[], gapMs: number, waitMs: number): Promise<{ text: string, closedAfterMs: number | null }> {
  return await new Promise(resolve => {
    const socket = connect(port, '127.0.0.1')
    const started = Date.now()
    let text = ''
    let closedAfterMs: number | null = null
    socket.on('data', d => { text += String(d) })
    socket.on('close', () => { closedAfterMs = Date.now() - started })
    socket.on('error', () => {})
    let i = 0
    const timer = setInterval(() => {
      if (i < chunks.length && !socket.destroyed) socket.write(chunks[i++] as string)
    }, gapMs)
    setTimeout(() => { clearInterval(timer); socket.destroy(); resolve({ text, closedAfterMs }) }, waitMs)
  })
}

t.test('undeclared methods and CORS preflights get no route and no CORS header', async t => {
  const { app } = await buildTestApp(t)
  for (const [method, url] of [['PUT', '/health'], ['PATCH', '/admin/locks'], ['TRACE', '/ready']] as const) {
    const res = await app.inject({ method, url })
    t.ok(res.statusCode === 404 || res.statusCode === 405, `${method} ${url} → ${res.statusCode}`)
    t.equal(res.headers['access-control-allow-origin'], undefined)
  }
  // The Odoo surface answers everything in its HTTP-200 envelope, unknown routes as error 404.
  for (const [method, url] of [['DELETE', '/proxy/v1/exchange_token'], ['GET', '/proxy/v1/transactions'], ['OPTIONS', '/proxy/v1/exchange_token']] as const) {
    const res = await app.inject({ method, url, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })
    t.equal(res.json().error?.code, 404, `${method} ${url} → envelope 404`)
    t.match(res.json().error?.data?.error_reference, /^ref_/)
    t.equal(res.headers['access-control-allow-origin'], undefined, 'no CORS: browsers may not call the API from other origins')
  }
})

t.test('the configured limits: server timeouts and body limit, outbound timeouts and size cap', async t => {
  const { app, config } = await buildTestApp(t)
  t.ok(config.requestTimeoutMs > 0 && config.requestTimeoutMs <= 60_000, `requestTimeout ${config.requestTimeoutMs} ms (0 would let slow clients hold sockets)`)
  t.equal(app.initialConfig.bodyLimit, 1_048_576, 'body limit 1 MiB')
  t.equal(app.initialConfig.onProtoPoisoning, 'error')
  t.ok(HTTP_LIMITS.connectTimeoutMs <= 5_000, 'connect ≤ 5 s')
  t.ok(HTTP_LIMITS.headersTimeoutMs <= 15_000 && HTTP_LIMITS.bodyTimeoutMs <= 15_000, 'headers/body ≤ 15 s')
  t.ok(HTTP_LIMITS.maxResponseBytes > 0 && HTTP_LIMITS.maxResponseBytes <= 20 * 1024 * 1024, 'response size capped at 20 MiB')
  t.ok(HTTP_LIMITS.maxAttempts <= 3, 'at most 3 attempts')
})

t.test('on a real socket: oversize headers, long params, slow clients', async t => {
  const port = await freePort()
  const h = await buildTestApp(t, { REQUEST_TIMEOUT: '2000', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` })
  await h.app.listen({ port, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${port}`

  const big = await fetch(`${base}/health`, { headers: { 'x-filler': 'a'.repeat(17 * 1024) } })
  t.equal(big.status, 431, '17 KB of headers → 431')

  const token = await h.adminToken('support')
  const long = await fetch(`${base}/admin/errors/${'r'.repeat(101)}`, { headers: { authorization: `Bearer ${token}` } })
  t.equal(long.status, 400, 'a 101-character path parameter is refused before routing')
  t.match(await long.json(), { reference: /^ref_/ }, 'with a reference')

  const body = JSON.stringify({ exchange_token: 'x', utils: { db_uuid: 'db-slow-000000001' } })
  const head = `POST /proxy/v1/exchange_token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
  const drip = [head, ...body.split('')]
  const slow = await rawExchange(port, drip, 250, 6_000)
  t.ok(slow.closedAfterMs !== null && slow.closedAfterMs < 4_500, `a client dripping its body is cut off (closed after ${slow.closedAfterMs} ms, timeout 2 s)`)
  t.match(slow.text, /^HTTP\/1\.1 408 /, 'with 408 Request Timeout')

  const fine = await fetch(`${base}/health`)
  t.equal(fine.status, 200, 'the server still serves others')
})
