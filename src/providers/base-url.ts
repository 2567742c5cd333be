/**
 * SSRF guard for configured provider URLs (OWASP SSRF cheat sheet): https only in live mode, no
 * credentials in the URL, and no loopback, private, link-local or multicast address literals.
 */
import { isIP } from 'node:net'

const BLOCKED_V4 = [
  [0x00000000, 8], [0x0a000000, 8], [0x7f000000, 8], [0xa9fe0000, 16], [0xac100000, 12], [0xc0a80000, 16], [0x64400000, 10], [0xe0000000, 4], [0xf0000000, 4]
] as const

function v4Blocked (ip: string): boolean {
  const n = ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0
  return BLOCKED_V4.some(([base, bits]) => (n >>> (32 - bits)) === (base >>> (32 - bits)))
}

function v6Blocked (ip: string): boolean {
  const x = ip.toLowerCase()
  return x === '::1' || x === '::' || x.startsWith('fe8') || x.startsWith('fe9') || x.startsWith('fea') || x.startsWith('feb') || x.startsWith('fc') || x.startsWith('fd') || x.startsWith('ff') || x.startsWith('::ffff:')
}

/** Returns what is wrong with `url`, or null when it is acceptable. */
export function checkProviderBaseUrl (url: string, live: boolean): string | null {
  let u: URL
  try { u = new URL(url) } catch { return 'expected an absolute URL' }
  if (u.username !== '' || u.password !== '') return 'must not contain credentials'
  if (live && u.protocol !== 'https:') return 'must use https in live mode'
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http(s) URL'
  if (!live) return null
  const host = u.hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal')) return 'must not point to an internal host'
  const kind = isIP(host)
  if (kind === 4 && v4Blocked(host)) return 'must not point to a private, loopback or link-local address'
  if (kind === 6 && v6Blocked(host)) return 'must not point to a private, loopback or link-local address'
  return null
}
