/**
 * Secrets at rest: AES-256-GCM with a key id, so keys can rotate (the first key encrypts, every
 * listed key decrypts). Envelope: `v1.<kid>.<iv>.<tag>.<ciphertext>` in base64url.
 * The associated data binds a ciphertext to where it is stored, so a value copied to another key fails.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

export class SecretUnreadableError extends Error {
  constructor (reason: string) {
    super(`stored secret cannot be decrypted: ${reason}`)
    this.name = 'SecretUnreadableError'
  }
}

export function createSecretBox (keys: ReadonlyArray<{ id: string, key: Buffer }>) {
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

  return {
    activeKeyId: active.id,
    seal,
    open: (envelope: string, aad: string): string => openBuffer(envelope, aad).toString('utf8'),
    openBuffer,
    sealJson: (value: unknown, aad: string): string => seal(JSON.stringify(value), aad),
    openJson: <T = unknown>(envelope: string, aad: string): T => JSON.parse(openBuffer(envelope, aad).toString('utf8')) as T
  }
}

export type SecretBox = ReturnType<typeof createSecretBox>
