/**
 * OdooFin request signatures (odoo-protocol.md §4): base64(HMAC-SHA256(b64decode(refresh_token), msg))
 * over `timestamp|path|client_id|access_token|query_json|body_json`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { compareCodePoints, pythonJsonString } from './canonical-json.js'

export interface SignatureFields {
  timestamp: string
  path: string
  clientId: string
  accessToken: string
  queryJson: string
  bodyJson: string
}

const SIGNATURE_B64 = /^[A-Za-z0-9+/]{43}=$/

export function signatureMessage (p: SignatureFields): string {
  return `${p.timestamp}|${p.path}|${p.clientId}|${p.accessToken}|${p.queryJson}|${p.bodyJson}`
}

/**
 * Python `json.dumps(werkzeug.urls.url_decode(query), sort_keys=True)`. url_decode returns a
 * MultiDict; json's C encoder serialises a dict subclass through its `items()`, which on a MultiDict
 * yields the FIRST value of each key, as a str: 'a=1&a=2' -> '{"a": "1"}' (checked against werkzeug's
 * MultiDict in the tests). Pair splitting on '&', '+' as space, a missing '=' giving '' and UTF-8
 * decoding with replacement match WHATWG URLSearchParams.
 */
export function canonicalQueryJson (search: URLSearchParams): string {
  const first = new Map<string, string>()
  for (const [key, value] of search) if (!first.has(key)) first.set(key, value)
  const keys = [...first.keys()].sort(compareCodePoints)
  return '{' + keys.map(k => pythonJsonString(k) + ': ' + pythonJsonString(first.get(k) as string)).join(', ') + '}'
}

function hmacDigest (refreshTokenB64: string, message: string): Buffer {
  // Node's base64 decoder is laxer than Python's b64decode (no padding check, url-safe letters);
  // identical on the standard padded tokens we issue
  return createHmac('sha256', Buffer.from(refreshTokenB64, 'base64')).update(message, 'utf8').digest()
}

export function computeSignature (refreshTokenB64: string, message: string): string {
  return hmacDigest(refreshTokenB64, message).toString('base64')
}

/** Constant-time check of an `odoofin-signature` header; false (never a throw) on any bad input. */
export function verifySignature (refreshTokenB64: string, message: string, signatureB64: string): boolean {
  try {
    if (typeof refreshTokenB64 !== 'string' || refreshTokenB64 === '' || typeof message !== 'string') return false
    if (typeof signatureB64 !== 'string' || !SIGNATURE_B64.test(signatureB64)) return false
    const expected = hmacDigest(refreshTokenB64, message)
    const given = Buffer.from(signatureB64, 'base64')
    return given.length === expected.length && timingSafeEqual(given, expected)
  } catch {
    return false
  }
}
