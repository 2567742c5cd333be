/** Random tokens and their storage hashes. Access/exchange tokens are stored only as SHA-256. */
import { hash, randomBytes } from 'node:crypto'

export function randomToken (bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** The Odoo client b64-decodes the refresh token into the HMAC key: standard base64 of 32 bytes. */
export function newRefreshToken (): string {
  return randomBytes(32).toString('base64')
}

/** One-shot `crypto.hash` (Node 20.12+): no Hash object per call, on every signed request. */
export function sha256Hex (text: string): string {
  return hash('sha256', text, 'hex')
}

/** Client ids: unguessable, URL-safe, fixed length. */
export function newClientId (): string {
  return `cl_${randomBytes(16).toString('hex')}`
}
