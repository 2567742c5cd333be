/**
 * Secrets at rest: AES-256-GCM with a key id, so keys can rotate (the first key encrypts, every
 * listed key decrypts). Envelope: `v1.<kid>.<iv>.<tag>.<ciphertext>` in base64url.
 * The associated data binds a ciphertext to where it is stored, so a value copied to another key fails.
 * The values every signed request opens are kept a short while once opened (openKept, openJsonKept).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

export class SecretUnreadableError extends Error {
  constructor (reason: string) {
    super(`stored secret cannot be decrypted: ${reason}`)
    this.name = 'SecretUnreadableError'
  }
}

/**
 * Every signed request opens its client's refresh secret and link: the same few envelopes, again and
 * again (other values — transactions, accounts, sessions — are opened each time). GCM is
 * deterministic for a given (key, envelope, associated data), so an envelope that opened once opens
 * to the same text until the process restarts; keeping it saves two decryptions (and the link's JSON
 * parse) per request. It keeps nothing a reader of this process's memory could not already open with
 * the keys it holds. Bounded in entries (oldest out first) and in age. An entry answers only the associated
 * data it was opened with: any other goes to the decryption, which fails authentication.
 */
const OPENED_ENTRIES = 4_096
const OPENED_MAX_AGE_MS = 60_000
/**
 * Entries are found by the envelope's last characters (ciphertext under a random IV: they differ from
 * one sealing to the next), then the whole envelope must be equal: hashing a short key instead of a
 * 1 KB envelope on every request, and a flipped bit anywhere still misses and fails to decrypt.
 */
const KEY_CHARS = 40

function openedCache<V> (now: () => number) {
  const entries = new Map<string, { envelope: string, aad: string, value: V, until: number }>()
  return {
    get (envelope: string, aad: string): V | undefined {
      const key = envelope.slice(-KEY_CHARS)
      const hit = entries.get(key)
      if (hit === undefined || hit.envelope !== envelope || hit.aad !== aad) return undefined
      if (hit.until <= now()) {
        entries.delete(key)
        return undefined
      }
      return hit.value
    },
    set (envelope: string, aad: string, value: V): void {
      if (entries.size >= OPENED_ENTRIES) entries.delete(entries.keys().next().value as string)
      entries.set(envelope.slice(-KEY_CHARS), { envelope, aad, value, until: now() + OPENED_MAX_AGE_MS })
    }
  }
}

/** Frozen all the way down: a kept value is shared by every request that opens the same envelope. */
function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

export function createSecretBox (keys: ReadonlyArray<{ id: string, key: Buffer }>, now: () => number = Date.now) {
  if (keys.length === 0) throw new Error('at least one encryption key is required')
  for (const k of keys) if (k.key.length !== 32) throw new Error(`encryption key ${k.id} must be 32 bytes`)
  const active = keys[0] as { id: string, key: Buffer }
  const byId = new Map(keys.map(k => [k.id, k.key]))

  function seal (plaintext: string | Buffer, aad: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', active.key, iv)
    cipher.setAAD(Buffer.from(aad))
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return ['v1', active.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
  }

  function openBuffer (envelope: string, aad: string): Buffer {
    const parts = envelope.split('.')
    if (parts.length !== 5 || parts[0] !== 'v1') throw new SecretUnreadableError('unknown format')
    const key = byId.get(parts[1] as string)
    if (key === undefined) throw new SecretUnreadableError(`unknown key id ${parts[1] as string}`)
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[2] as string, 'base64url'))
      decipher.setAAD(Buffer.from(aad))
      decipher.setAuthTag(Buffer.from(parts[3] as string, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(parts[4] as string, 'base64url')), decipher.final()])
    } catch {
      throw new SecretUnreadableError('authentication failed')
    }
  }

  const open = (envelope: string, aad: string): string => openBuffer(envelope, aad).toString('utf8')
  const openedText = openedCache<string>(now)
  function openKept (envelope: string, aad: string): string {
    let text = openedText.get(envelope, aad)
    if (text === undefined) {
      text = open(envelope, aad)
      openedText.set(envelope, aad, text)
    }
    return text
  }
  const openedJson = openedCache<unknown>(now)
  /** The envelope last opened under each associated data (bounded like the kept values). */
  const lastJsonEnvelope = new Map<string, string>()
  function openJsonKept<T> (envelope: string, aad: string): T {
    let value = openedJson.get(envelope, aad)
    if (value === undefined) {
      value = deepFreeze(JSON.parse(open(envelope, aad)) as unknown)
      openedJson.set(envelope, aad, value)
      if (lastJsonEnvelope.size >= OPENED_ENTRIES) lastJsonEnvelope.delete(lastJsonEnvelope.keys().next().value as string)
      lastJsonEnvelope.set(aad, envelope)
    }
    return value as T
  }
  function lastKeptJson<T> (aad: string): { envelope: string, value: T } | undefined {
    const envelope = lastJsonEnvelope.get(aad)
    if (envelope === undefined) return undefined
    const value = openedJson.get(envelope, aad)
    return value === undefined ? undefined : { envelope, value: value as T }
  }

  return {
    activeKeyId: active.id,
    seal,
    open,
    openBuffer,
    sealJson: (value: unknown, aad: string): string => seal(JSON.stringify(value), aad),
    openJson: <T = unknown>(envelope: string, aad: string): T => JSON.parse(open(envelope, aad)) as T,
    /** For the values every signed request opens (a client's refresh secret, its link): kept a while. */
    openKept,
    /** The same for JSON, kept parsed: the value is frozen (deeply) and shared, so copy it to change it. */
    openJsonKept,
    /** The value openJsonKept last opened under `aad`, with its envelope, while it is kept. */
    lastKeptJson
  }
}

export type SecretBox = ReturnType<typeof createSecretBox>
