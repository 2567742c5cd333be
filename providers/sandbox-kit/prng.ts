/** Deterministic pseudo-random numbers for sandbox data: the same seed always gives the same bank. */
import { createHash } from 'node:crypto'

/** 32-bit seed from any string (first 4 bytes of its SHA-256). */
export function seedOf (text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0)
}

/** mulberry32: small, fast, good enough for fake bank data (never for secrets). */
export function createRandom (seed: number | string): () => number {
  let a = typeof seed === 'string' ? seedOf(seed) : seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function pick<T> (random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

/** Stable hex id derived from parts (for provider ids that must not change between fetches). */
export function stableId (...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join('|')).digest('hex')
}
