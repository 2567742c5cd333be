/**
 * Console sessions: the admin JWT itself, kept in an HttpOnly, SameSite=Strict cookie scoped to
 * /console that expires with the token, and verified by the admin API's verifier on every request.
 * Form POSTs carry a CSRF token: an HMAC (key derived from the first ENCRYPTION_KEYS entry, so every
 * instance agrees) of the session token, or of a random pre-session cookie for the sign-in form.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { decodeJwt } from 'jose'
import type { Services } from '../services.js'
import { createAdminAuth, type AdminIdentity } from '../admin/auth.js'

export const SESSION_COOKIE = 'bsb_console'
/** Binds the sign-in form's CSRF token to this browser before there is a session. */
export const PRE_SESSION_COOKIE = 'bsb_console_pre'
const PRE_SESSION_SECONDS = 3600
const COOKIE_VALUE = /^[A-Za-z0-9_.-]{1,4000}$/

/** The value of one cookie, or null; values outside the JWT/base64url alphabet are ignored. */
export function readCookie (header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim()
      return COOKIE_VALUE.test(value) ? value : null
    }
  }
  return null
}

export function createConsoleSession (s: Services) {
  const auth = createAdminAuth(s.config.admin, s.now)
  const secure = s.config.publicUrl.startsWith('https:') ? '; Secure' : ''
  const csrfKey = createHmac('sha256', (s.config.encryptionKeys[0] as { key: Buffer }).key).update('bsb:console-csrf').digest()

  const cookie = (name: string, value: string, maxAgeSeconds: number): string =>
    `${name}=${value}; Path=/console; Max-Age=${maxAgeSeconds}; Expires=${new Date(maxAgeSeconds === 0 ? 0 : s.now() + maxAgeSeconds * 1000).toUTCString()}; HttpOnly; SameSite=Strict${secure}`

  const csrfFor = (binding: string): string => createHmac('sha256', csrfKey).update(binding).digest('base64url')

  return {
    /** Throws BSB_ADMIN_UNAUTHORIZED exactly as the admin API does for the same token. */
    async identify (token: string): Promise<AdminIdentity> {
      return await auth.verify(`Bearer ${token}`)
    },
    /** The session cookie for a token already verified: it expires when the token does. */
    sessionCookie (token: string): string {
      const exp = decodeJwt(token).exp as number
      return cookie(SESSION_COOKIE, token, Math.max(1, exp - Math.floor(s.now() / 1000)))
    },
    preSessionCookie (nonce: string): string {
      return cookie(PRE_SESSION_COOKIE, nonce, PRE_SESSION_SECONDS)
    },
    newNonce: (): string => randomBytes(24).toString('base64url'),
    clearCookie: (name: string): string => cookie(name, '', 0),
    csrfForSession: (token: string): string => csrfFor(`session|${token}`),
    csrfForSignIn: (nonce: string): string => csrfFor(`sign-in|${nonce}`),
    /** Constant-time comparison of a submitted form token with the expected one. */
    matches (expected: string, given: unknown): boolean {
      if (typeof given !== 'string') return false
      const a = Buffer.from(expected)
      const b = Buffer.from(given)
      return a.length === b.length && timingSafeEqual(a, b)
    }
  }
}

export type ConsoleSession = ReturnType<typeof createConsoleSession>
