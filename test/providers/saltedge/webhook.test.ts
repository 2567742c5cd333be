/**
 * Salt Edge callback signatures (reliability W7): valid, tampered URL, tampered body, missing or
 * foreign signature, stale `meta.time`; on the real sample body and on sandbox deliveries.
 */
import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { saltedgeModule } from '../../../providers/saltedge/index.js'
import { callbackSigningString, signText } from '../../../providers/saltedge/signing.js'
import { SANDBOX_SALTEDGE_PRIVATE_KEY } from '../../../providers/saltedge/sandbox-keys.js'
import { credentials, rejection } from './helpers.js'

const URL_ = 'https://broker.example.test/webhooks/saltedge'
const sample = readFileSync(new URL('../../../../test/providers/saltedge/fixtures/callback-success-v6.json', import.meta.url), 'utf8')
const sentAt = Date.parse(JSON.parse(sample).meta.time)

function adapterAt (ms: number) {
  return saltedgeModule.createAdapter({ baseUrl: 'https://www.saltedge.com/api/v6', now: () => ms }, credentials())
}

function verify (ms: number, headers: Record<string, string>, body: string, url = URL_) {
  const v = adapterAt(ms).verifyWebhook
  if (v === undefined) throw new Error('verifyWebhook missing')
  return v({ headers, rawBody: Buffer.from(body), url })
}

const signed = (body: string, url = URL_, key = SANDBOX_SALTEDGE_PRIVATE_KEY): string => signText(key, callbackSigningString(url, body))

t.test('valid signature over url|body is accepted and the body returned', async t => {
  const body = await verify(sentAt + 1000, { signature: signed(sample), 'content-type': 'application/json' }, sample)
  t.match(body, { data: { connection_id: '111111111111111111', customer_id: '222222222222222222', stage: 'finish' }, meta: { version: '6' } })
  const viaArray = await verify(sentAt, { Signature: signed(sample) }, sample)
  t.ok(viaArray, 'header name is case-insensitive')
})

t.test('tampered URL, tampered body, missing or foreign signature are refused', async t => {
  const sig = signed(sample)
  t.match(await rejection(verify(sentAt, { signature: sig }, sample, 'https://evil.example.test/webhooks/saltedge')), { kind: 'invalid_request', providerCode: 'signature_invalid' })
  const tampered = sample.replace('111111111111111111', '111111111111111112')
  t.match(await rejection(verify(sentAt, { signature: sig }, tampered)), { kind: 'invalid_request', providerCode: 'signature_invalid' })
  t.match(await rejection(verify(sentAt, {}, sample)), { kind: 'invalid_request', providerCode: 'signature_missing' })
  t.match(await rejection(verify(sentAt, { signature: 'not base64 !!' }, sample)), { kind: 'invalid_request', providerCode: 'signature_invalid' })
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  t.match(await rejection(verify(sentAt, { signature: signed(sample, URL_, other.export({ type: 'pkcs8', format: 'pem' }).toString()) }, sample)), { providerCode: 'signature_invalid' })
})

t.test('stale or future-dated callbacks are refused even when signed', async t => {
  t.match(await rejection(verify(sentAt + 2 * 60 * 60_000, { signature: signed(sample) }, sample)), { kind: 'invalid_request', providerCode: 'callback_stale' })
  t.match(await rejection(verify(sentAt - 10 * 60_000, { signature: signed(sample) }, sample)), { providerCode: 'callback_stale' })
  const noTime = JSON.stringify({ data: { connection_id: '1', customer_id: '2', stage: 'finish', custom_fields: {} }, meta: { version: '6' } })
  t.match(await rejection(verify(sentAt, { signature: signed(noTime) }, noTime)), { providerCode: 'body_invalid' })
})
