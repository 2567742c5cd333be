/**
 * Odoo's calls over real HTTP (for brokers running as separate processes): signed exactly like
 * `signedCall` in odoo-client.ts (same utils, same canonical body), sent with undici.
 */
import { request } from 'undici'
import { canonicalizePythonJson } from '../../src/protocol/canonical-json.js'
import { computeSignature } from '../../src/protocol/signature.js'
import { odooUtils, type CallOptions, type OdooLink } from './odoo-client.js'

async function postJson (url: string, headers: Record<string, string>, body: string): Promise<any> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, headersTimeout: 30_000, bodyTimeout: 30_000 })
  const text = await res.body.text()
  try {
    return JSON.parse(text)
  } catch {
    throw new Error(`${url} answered ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`)
  }
}

/** A signed `/proxy/*` call; returns the JSON-RPC envelope. */
export async function signedHttpCall (base: string, path: string, link: OdooLink, fields: Record<string, unknown>, o: CallOptions): Promise<any> {
  const body = JSON.stringify({ ...fields, utils: odooUtils(o) })
  const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000))
  const message = [ts, path, link.clientId, link.accessToken, '{}', canonicalizePythonJson(body)].join('|')
  const signature = computeSignature(o.signWith ?? link.refreshToken, message)
  return await postJson(`${base}${path}`, { 'odoofin-client-id': link.clientId, 'odoofin-access-token': link.accessToken, 'odoofin-timestamp': ts, 'odoofin-signature': signature }, body)
}

/** An unsigned `/proxy/*` call (exchange_token, dashboard); returns the JSON-RPC envelope. */
export async function unsignedHttpCall (base: string, path: string, fields: Record<string, unknown>, o: CallOptions): Promise<any> {
  return await postJson(`${base}${path}`, {}, JSON.stringify({ ...fields, utils: odooUtils(o) }))
}

/** The error code a refusal carries (`BSB_*`), or null for a result. */
export const exceptionType = (envelope: any): string | null => envelope?.error?.data?.exception_type ?? null
