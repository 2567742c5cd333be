/**
 * Salt Edge callback verification: `Signature` = base64 RSA-SHA256 of `<callback_url>|<raw body>`
 * made with Salt Edge's private key (providers.md §3.8). The body's `meta.time` (covered by the
 * signature) bounds replays.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { ProviderError } from '../errors.js'
import type { JsonObject } from '../types.js'
import { callbackSigningString, verifyText } from './signing.js'

/** Callbacks older than this (by their signed `meta.time`) are refused as replays. */
export const CALLBACK_MAX_AGE_MS = 60 * 60 * 1000
/** Tolerated clock skew for callbacks dated in the future. */
export const CALLBACK_MAX_SKEW_MS = 5 * 60 * 1000

function forged (message: string, code: string): ProviderError {
  return new ProviderError({ provider: 'saltedge', kind: 'invalid_request', message, providerCode: code })
}

function headerValue (headers: Record<string, string | string[] | undefined>, name: string): string | null {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue
    const value = Array.isArray(v) ? v[0] : v
    return typeof value === 'string' ? value : null
  }
  return null
}

export function createCallbackVerifier (publicKeyPem: string, now: () => number) {
  let key: KeyObject | undefined
  return async function verifyWebhook (input: { headers: Record<string, string | string[] | undefined>, rawBody: Buffer, url: string }): Promise<JsonObject> {
    key ??= createPublicKey(publicKeyPem)
    const signature = headerValue(input.headers, 'signature')
    if (signature === null) throw forged('Salt Edge callback without a Signature header', 'signature_missing')
    const raw = input.rawBody.toString('utf8')
    if (!verifyText(key, callbackSigningString(input.url, raw), signature.trim())) {
      throw forged('Salt Edge callback signature does not match the URL and body', 'signature_invalid')
    }
    let body: unknown
    try { body = JSON.parse(raw) } catch { throw forged('Salt Edge callback body is not JSON', 'body_invalid') }
    const obj = body as { data?: unknown, meta?: { time?: unknown } } | null
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || typeof obj.data !== 'object' || obj.data === null) {
      throw forged('Salt Edge callback body has no data object', 'body_invalid')
    }
    const sent = typeof obj.meta?.time === 'string' ? Date.parse(obj.meta.time) : Number.NaN
    if (Number.isNaN(sent)) throw forged('Salt Edge callback without meta.time', 'body_invalid')
    const age = now() - sent
    if (age > CALLBACK_MAX_AGE_MS || age < -CALLBACK_MAX_SKEW_MS) throw forged('Salt Edge callback is stale', 'callback_stale')
    return body as JsonObject
  }
}
