/** Plaid-Verification: valid, tampered, stale, future, wrong alg, expired or unknown key, key caching, delivery. */
import { createHmac } from 'node:crypto'
import t from 'tap'
import Fastify from 'fastify'
import { MockAgent } from 'undici'
import { plaidModule } from '../../../providers/plaid/index.js'
import { SANDBOX_EXPIRED_WEBHOOK_KEY } from '../../../providers/plaid/sandbox-keys.js'
import { signWebhookBody } from '../../../providers/plaid/sandbox-webhooks.js'
import { countingDispatcher, quickItem, startSandbox, US } from './helpers.js'

const BODY = JSON.stringify({ environment: 'sandbox', item_id: 'item-1', webhook_code: 'SYNC_UPDATES_AVAILABLE', webhook_type: 'TRANSACTIONS', initial_update_complete: true, historical_update_complete: true }, null, 2)
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')

t.test('signature checks', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const counter = countingDispatcher()
  const adapter = h.adapter({ dispatcher: counter.dispatcher })
  const verify = adapter.verifyWebhook as NonNullable<typeof adapter.verifyWebhook>
  const nowS = Math.floor(h.now() / 1000)
  const deliver = async (jwt: string, body = BODY): Promise<unknown> => await verify({ headers: { 'plaid-verification': jwt, 'content-type': 'application/json' }, rawBody: Buffer.from(body), url: 'https://broker.example/webhooks/plaid' })
  const rejected = (code: string): { name: string, kind: string, providerCode: string } => ({ name: 'ProviderError', kind: 'invalid_request', providerCode: code })

  t.match(await deliver(await signWebhookBody(BODY, { iat: nowS })), { webhook_code: 'SYNC_UPDATES_AVAILABLE', item_id: 'item-1' })
  t.match(await verify({ headers: { 'Plaid-Verification': await signWebhookBody(BODY, { iat: nowS }) }, rawBody: Buffer.from(BODY), url: '' }), { item_id: 'item-1' }, 'header name is case-insensitive')
  const tampered = BODY.replace('item-1', 'item-2')
  await t.rejects(deliver(await signWebhookBody(BODY, { iat: nowS }), tampered), rejected('webhook_body_mismatch'), 'one changed byte')
  t.ok(await deliver(await signWebhookBody(BODY, { iat: nowS - 299 })), '299 s old is accepted')
  await t.rejects(deliver(await signWebhookBody(BODY, { iat: nowS - 301 })), rejected('webhook_stale'), '301 s old is refused')
  t.ok(await deliver(await signWebhookBody(BODY, { iat: nowS + 29 })), 'small clock skew is accepted')
  await t.rejects(deliver(await signWebhookBody(BODY, { iat: nowS + 31 })), rejected('webhook_stale'), '31 s in the future is refused')
  const [head, payload] = (await signWebhookBody(BODY, { iat: nowS })).split('.') as [string, string, string]
  const kid = (JSON.parse(Buffer.from(head, 'base64url').toString()) as { kid: string }).kid
  const hsHead = b64({ alg: 'HS256', kid, typ: 'JWT' })
  const hs = `${hsHead}.${payload}.${createHmac('sha256', 'x').update(`${hsHead}.${payload}`).digest('base64url')}`
  await t.rejects(deliver(hs), rejected('webhook_signature_invalid'), 'HS256 refused')
  await t.rejects(deliver(`${b64({ alg: 'none', kid, typ: 'JWT' })}.${payload}.`), rejected('webhook_signature_invalid'), 'alg none refused')
  await t.rejects(deliver(`${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${payload}.AAAA`), rejected('webhook_signature_invalid'), 'RS256 refused')
  await t.rejects(deliver(`${head}.${payload}.${'A'.repeat(86)}`), rejected('webhook_signature_invalid'), 'bad signature')
  await t.rejects(deliver('not-a-jwt'), rejected('webhook_signature_invalid'))
  await t.rejects(verify({ headers: {}, rawBody: Buffer.from(BODY), url: '' }), rejected('webhook_signature_missing'))
  await t.rejects(deliver(await signWebhookBody(BODY, { iat: nowS, key: SANDBOX_EXPIRED_WEBHOOK_KEY })), rejected('webhook_key_expired'), 'keys with expired_at are refused')

  const fetches = counter.counts.get('/webhook_verification_key/get')
  t.equal(fetches, 2, 'one key look-up per kid, then the cache')
  for (let i = 0; i < 50; i++) await deliver(await signWebhookBody(BODY, { iat: nowS }))
  t.equal(counter.counts.get('/webhook_verification_key/get'), 2, '50 more deliveries: no more look-ups')

  const forged = `${b64({ alg: 'ES256', kid: 'kid-unknown-1', typ: 'JWT' })}.${payload}.${'A'.repeat(86)}`
  await t.rejects(deliver(forged), rejected('webhook_key_unknown'))
  for (let i = 0; i < 20; i++) await t.rejects(deliver(`${b64({ alg: 'ES256', kid: `kid-random-${i}`, typ: 'JWT' })}.${payload}.${'A'.repeat(86)}`), rejected('webhook_key_unknown'))
  t.equal(counter.counts.get('/webhook_verification_key/get'), 3, 'random kids: one look-up per 30 s at most')
  h.clock.t += 31_000
  await t.rejects(deliver(`${b64({ alg: 'ES256', kid: 'kid-later', typ: 'JWT' })}.${payload}.${'A'.repeat(86)}`), rejected('webhook_key_unknown'))
  t.equal(counter.counts.get('/webhook_verification_key/get'), 4)
})

t.test('key endpoint down: provider_down, not a forgery verdict', async t => {
  const mock = new MockAgent()
  mock.disableNetConnect()
  mock.get('https://plaid.test').intercept({ path: '/webhook_verification_key/get', method: 'POST' }).reply(503, 'unavailable').times(3)
  const now = Date.now()
  const adapter = plaidModule.createAdapter({ baseUrl: 'https://plaid.test', dispatcher: mock, now: () => now }, plaidModule.sandbox.credentials(''))
  const jwt = await signWebhookBody(BODY, { iat: Math.floor(now / 1000) })
  await t.rejects((adapter.verifyWebhook as NonNullable<typeof adapter.verifyWebhook>)({ headers: { 'plaid-verification': jwt }, rawBody: Buffer.from(BODY), url: '' }), { name: 'ProviderError', kind: 'provider_down' })
})

t.test('/sandbox/item/fire_webhook delivers a signed SYNC_UPDATES_AVAILABLE the adapter accepts', async t => {
  const receiver = Fastify()
  const received: Array<{ headers: Record<string, string | string[] | undefined>, raw: Buffer }> = []
  let arrived: () => void = () => {}
  const arrival = new Promise<void>(resolve => { arrived = resolve })
  receiver.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
  receiver.post('/hooks/plaid', async req => { received.push({ headers: req.headers, raw: req.body as Buffer }); arrived(); return { ok: true } })
  await receiver.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => { await receiver.close() })
  const hookUrl = `http://127.0.0.1:${(receiver.server.address() as { port: number }).port}/hooks/plaid`

  const h = await startSandbox({ webhookUrl: hookUrl })
  t.teardown(h.close)
  const adapter = h.adapter()
  const conn = await quickItem(h, US.ordinary)
  const fired = await h.api('/sandbox/item/fire_webhook', { access_token: conn.secrets.access_token, webhook_type: 'TRANSACTIONS', webhook_code: 'SYNC_UPDATES_AVAILABLE' })
  t.match(fired.body, { webhook_fired: true, request_id: /\w+/ })
  await arrival
  const hook = received[0] as (typeof received)[number]
  t.match(hook.raw.toString(), /\n {2}"webhook_code": "SYNC_UPDATES_AVAILABLE"/, 'pretty-printed body, hashed as sent')
  const body = await (adapter.verifyWebhook as NonNullable<typeof adapter.verifyWebhook>)({ headers: hook.headers, rawBody: hook.raw, url: hookUrl })
  t.match(body, { webhook_type: 'TRANSACTIONS', webhook_code: 'SYNC_UPDATES_AVAILABLE', item_id: conn.secrets.item_id, environment: 'sandbox' })
  const bad = await h.api('/sandbox/item/fire_webhook', { access_token: conn.secrets.access_token, webhook_code: 'NOPE' })
  t.match(bad, { status: 400, body: { error_code: 'INVALID_FIELD' } })

  const h2 = await startSandbox()
  t.teardown(h2.close)
  const lonely = await quickItem(h2, US.ordinary)
  const none = await h2.api('/sandbox/item/fire_webhook', { access_token: lonely.secrets.access_token, webhook_code: 'SYNC_UPDATES_AVAILABLE' })
  t.match(none, { status: 400, body: { error_type: 'SANDBOX_ERROR', error_code: 'SANDBOX_WEBHOOK_INVALID' } })
})
