/**
 * Salt Edge request and callback signatures (providers.md §3.1, §3.8): base64 RSA-SHA256 over
 * `Expires-at|METHOD|full URL|body` for requests and over `callback_url|raw body` for callbacks.
 */
import { createSign, createVerify, type KeyObject } from 'node:crypto'

/** Seconds between now and `Expires-at` (Salt Edge suggests one minute; the maximum is one hour). */
export const EXPIRES_IN_SECONDS = 60
export const MAX_EXPIRES_AHEAD_SECONDS = 3600

export function requestSigningString (expiresAt: number, method: string, url: string, body: string): string {
  return `${expiresAt}|${method.toUpperCase()}|${url}|${body}`
}

export function signText (key: KeyObject | string, text: string): string {
  return createSign('RSA-SHA256').update(text, 'utf8').sign(key, 'base64')
}

export function verifyText (key: KeyObject | string, text: string, signature: string): boolean {
  if (signature.length === 0 || signature.length > 4096 || !/^[A-Za-z0-9+/=\s]+$/.test(signature)) return false
  try {
    return createVerify('RSA-SHA256').update(text, 'utf8').verify(key, signature, 'base64')
  } catch {
    return false
  }
}

/** Headers for one signed request; `nowMs` is the caller's clock. */
export function signedHeaders (key: KeyObject | string, nowMs: number, method: string, url: string, body: string): Record<string, string> {
  const expiresAt = Math.floor(nowMs / 1000) + EXPIRES_IN_SECONDS
  return {
    'expires-at': String(expiresAt),
    signature: signText(key, requestSigningString(expiresAt, method, url, body))
  }
}

export function callbackSigningString (callbackUrl: string, rawBody: string): string {
  return `${callbackUrl}|${rawBody}`
}
