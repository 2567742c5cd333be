/**
 * Sandbox callbacks: `success` / `fail` POSTs to the broker's webhook URL, signed like Salt Edge
 * (`Signature` = base64 RSA-SHA256 of `<callback_url>|<body>` with the sandbox "Salt Edge" key).
 * Only loopback targets are called; delivery is bounded in time and never fails the caller.
 */
import { request, type Dispatcher } from 'undici'
import { callbackSigningString, signText } from '../signing.js'
import { SANDBOX_SALTEDGE_PRIVATE_KEY } from '../sandbox-keys.js'
import type { SeCallbackBody } from '../wire.js'
import { iso } from './replies.js'

const DELIVERY_TIMEOUT_MS = 2_000

function isLoopback (url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

export interface CallbackTarget { webhookUrl?: string, dispatcher?: Dispatcher }

export function signCallback (callbackUrl: string, body: string): string {
  return signText(SANDBOX_SALTEDGE_PRIVATE_KEY, callbackSigningString(callbackUrl, body))
}

export function callbackBody (data: SeCallbackBody['data'], now: number): string {
  const body: SeCallbackBody = { data, meta: { version: '6', time: iso(now) } }
  return JSON.stringify(body)
}

/** Delivers one callback; resolves to the HTTP status, or null when not sent / failed. */
export async function deliverCallback (target: CallbackTarget, body: string): Promise<number | null> {
  if (target.webhookUrl === undefined || target.webhookUrl === '') return null
  let url: URL
  try { url = new URL(target.webhookUrl) } catch { return null }
  if (!isLoopback(url) || (url.protocol !== 'http:' && url.protocol !== 'https:')) return null
  try {
    const res = await request(target.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', signature: signCallback(target.webhookUrl, body) },
      body,
      dispatcher: target.dispatcher,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS)
    })
    await res.body.dump()
    return res.statusCode
  } catch {
    return null
  }
}
