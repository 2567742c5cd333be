/**
 * Ponto webhook verification: Ibanity's real RS512 test vector at a fixed clock (valid, tampered,
 * stale, wrong audience, forged algorithms, key lookup budget), and the sandbox's own deliveries.
 */
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import { SignJWT, UnsecuredJWT } from 'jose'
import t from 'tap'
import { MockAgent } from 'undici'
import { isProviderError } from '../../../providers/errors.js'
import { createPontoAdapter } from '../../../providers/ponto/adapter.js'
import { adapterFor, connect, startSandbox } from './helper.js'

const vector = JSON.parse(readFileSync(new URL('../../../../test/providers/ponto/fixtures/webhook-signature-test-vector.json', import.meta.url), 'utf8')) as {
  raw_body: string, signature_header: string, jwks: { keys: object[] }, expected_audience: string
}
const IAT = 1691670925_000

function vectorAdapter (t: { teardown: (fn: () => unknown) => void }, at: number, audience = vector.expected_audience) {
  const agent = new MockAgent()
  agent.disableNetConnect()
  const keyFetches = { count: 0 }
  agent.get('https://api.ibanity.com').intercept({ path: '/webhooks/keys', method: 'GET' }).reply(() => { keyFetches.count++; return { statusCode: 200, data: vector.jwks } }).persist()
  t.teardown(() => agent.close())
  let now = at
  const adapter = createPontoAdapter({ baseUrl: 'https://api.ibanity.com', dispatcher: agent, now: () => now }, { clientId: 'c', clientSecret: 's', applicationId: audience, authorizationUrl: null, tls: null })
  return { adapter, keyFetches, setNow: (ms: number) => { now = ms } }
}

const verify = async (adapter: ReturnType<typeof createPontoAdapter>, body: string | Buffer, signature: string | undefined) =>
  await (adapter.verifyWebhook as NonNullable<typeof adapter.verifyWebhook>)({ headers: signature === undefined ? {} : { signature }, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body), url: 'https://broker.test/webhooks/ponto' })

const reason = async (p: Promise<unknown>): Promise<string> => {
  const err = await p.then(() => null, e => e)
  if (!isProviderError(err)) return `not a provider error: ${String(err)}`
  return `${err.kind}:${String(err.providerCode)}`
}

t.test('the real Ibanity test vector verifies at its own time', async t => {
  const { adapter } = vectorAdapter(t, IAT + 10_000)
  const body = await verify(adapter, vector.raw_body, vector.signature_header)
  t.match(body, { data: { type: 'pontoConnect.synchronization.succeededWithoutChange', id: '3465fd2f-6c9a-484e-971e-56bf44c9181a' } })
})

t.test('tampered body, wrong audience, missing header, forged algorithms are refused', async t => {
  const { adapter } = vectorAdapter(t, IAT + 10_000)
  const tampered = Buffer.from(vector.raw_body)
  tampered[tampered.length - 3] = tampered[tampered.length - 3] === 0x7d ? 0x5d : 0x7d
  t.equal(await reason(verify(adapter, tampered, vector.signature_header)), 'invalid_request:webhook_digest_mismatch')
  t.equal(await reason(verify(adapter, `${vector.raw_body} `, vector.signature_header)), 'invalid_request:webhook_digest_mismatch', 'one extra byte')
  t.equal(await reason(verify(adapter, vector.raw_body, undefined)), 'invalid_request:webhook_signature_missing')
  const other = vectorAdapter(t, IAT + 10_000, 'another-application').adapter
  t.equal(await reason(verify(other, vector.raw_body, vector.signature_header)), 'invalid_request:webhook_signature_invalid', 'aud of another application')
  const none = new UnsecuredJWT({ aud: vector.expected_audience, iss: 'https://api.ibanity.com' }).encode()
  t.equal(await reason(verify(adapter, vector.raw_body, none)), 'invalid_request:webhook_signature_invalid', 'alg none')
  const hs = await new SignJWT({ digest: 'x' }).setProtectedHeader({ alg: 'HS256', kid: 'sandbox_events_signature_1' }).sign(new Uint8Array(32))
  t.equal(await reason(verify(adapter, vector.raw_body, hs)), 'invalid_request:webhook_signature_invalid', 'alg HS256')
  const [h, p, s] = vector.signature_header.split('.') as [string, string, string]
  const flipped = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`
  t.equal(await reason(verify(adapter, vector.raw_body, flipped)), 'invalid_request:webhook_signature_invalid', 'bad signature')
})

t.test('clock: 30 s of leeway past exp, no more', async t => {
  const exp = 1691670985_000
  const { adapter, setNow } = vectorAdapter(t, exp + 29_000)
  t.ok(await verify(adapter, vector.raw_body, vector.signature_header), 'exp + 29 s accepted')
  setNow(exp + 31_000)
  t.equal(await reason(verify(adapter, vector.raw_body, vector.signature_header)), 'invalid_request:webhook_expired')
  setNow(IAT - 40_000)
  t.equal(await reason(verify(adapter, vector.raw_body, vector.signature_header)), 'invalid_request:webhook_signature_invalid', 'iat in the future')
})

t.test('keys: cached by kid, unknown kids refetch at most once per 30 s', async t => {
  const { adapter, keyFetches, setNow } = vectorAdapter(t, IAT + 10_000)
  for (let i = 0; i < 5; i++) await verify(adapter, vector.raw_body, vector.signature_header)
  t.equal(keyFetches.count, 1, 'one fetch for many deliveries')
  const unknown = await new SignJWT({}).setProtectedHeader({ alg: 'RS512', kid: 'rotated-key' }).sign((await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)
  t.equal(await reason(verify(adapter, vector.raw_body, unknown)), 'invalid_request:webhook_unknown_key')
  t.equal(await reason(verify(adapter, vector.raw_body, unknown)), 'invalid_request:webhook_unknown_key')
  t.equal(keyFetches.count, 1, 'unknown kid within the cooldown: no new fetch')
  setNow(IAT + 45_000)
  await reason(verify(adapter, vector.raw_body, unknown))
  t.equal(keyFetches.count, 2, 'after the cooldown: one more fetch')
})

t.test('the sandbox signs its deliveries the Ibanity way', async t => {
  const received: Array<{ body: Buffer, signature: string }> = []
  const receiver = Fastify()
  receiver.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })
  receiver.post('/webhooks/ponto', async (request) => {
    received.push({ body: request.body as Buffer, signature: String(request.headers.signature) })
    return { ok: true }
  })
  await receiver.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => receiver.close())
  const port = (receiver.server.address() as { port: number }).port
  const { baseUrl, clock } = await startSandbox(t, { webhookUrl: `http://127.0.0.1:${port}/webhooks/ponto` })
  const { adapter } = adapterFor(baseUrl, clock)
  const { connection } = await connect(adapter, 'ordinary')
  const result = await adapter.refresh(connection, { userPresent: true, psu: { ip: '203.0.113.7', userAgent: 'test' }, account: null })
  t.equal(result.status, 'done')
  await adapter.listAccounts(connection, null)
  for (let i = 0; i < 100 && received.length < 2; i++) await new Promise(resolve => setTimeout(resolve, 20))
  t.equal(received.length, 2, 'one webhook per finished synchronization')
  const first = received[0] as { body: Buffer, signature: string }
  const body = await verify(adapter, first.body, first.signature)
  t.match(body, { data: { type: /^pontoConnect\.(account\.transactionsCreated|synchronization\.succeededWithoutChange)$/, relationships: { synchronization: { data: { type: 'synchronization' } } } } })
  const tampered = Buffer.from(first.body.toString('utf8').replace('"account"', '"acc0unt"'))
  t.equal(await reason(verify(adapter, tampered, first.signature)), 'invalid_request:webhook_digest_mismatch')
  clock.advance(120_000)
  t.equal(await reason(verify(adapter, first.body, first.signature)), 'invalid_request:webhook_expired', 'stale delivery')
})
