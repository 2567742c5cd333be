import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createSecretBox, SecretUnreadableError } from '../../src/crypto/secret-box.js'

const keys = [{ id: 'k1', key: randomBytes(32) }]

t.test('a sealed value opens only where it was sealed, also after it was opened once', async t => {
  const box = createSecretBox(keys)
  const sealed = box.seal('refresh-secret', 'refresh:cl_a')
  t.equal(box.openKept(sealed, 'refresh:cl_a'), 'refresh-secret')
  t.equal(box.openKept(sealed, 'refresh:cl_a'), 'refresh-secret', 'opened again')
  t.throws(() => box.openKept(sealed, 'refresh:cl_b'), SecretUnreadableError, 'copied to another client: refused')
  t.throws(() => box.openKept(sealed, 'link:cl_a'), SecretUnreadableError, 'copied to another kind of value: refused')
  t.equal(box.openKept(sealed, 'refresh:cl_a'), 'refresh-secret', 'still opens where it belongs')
})

/** The envelope with one bit of its first ciphertext byte flipped. */
function tamperedStart (sealed: string): string {
  const parts = sealed.split('.')
  const ct = Buffer.from(parts[4] as string, 'base64url')
  ct[0] = (ct[0] as number) ^ 1
  return [...parts.slice(0, 4), ct.toString('base64url')].join('.')
}

t.test('a tampered envelope never opens, even after the genuine one was opened', async t => {
  const box = createSecretBox(keys)
  const sealed = box.seal(JSON.stringify({ token: 'abc' }), 'link:cl_a')
  t.same(box.openJsonKept(sealed, 'link:cl_a'), { token: 'abc' })
  t.equal(box.openKept(sealed, 'link:cl_a'), '{"token":"abc"}')
  t.throws(() => box.openJsonKept(tamperedStart(sealed), 'link:cl_a'), SecretUnreadableError)
  t.throws(() => box.openKept(tamperedStart(sealed), 'link:cl_a'), SecretUnreadableError)
})

t.test('an envelope tampered far from its end (same lookup key as the kept one) never opens', async t => {
  const box = createSecretBox(keys)
  const sealed = box.seal(JSON.stringify({ token: 'x'.repeat(200) }), 'link:cl_a')
  t.ok(box.openJsonKept(sealed, 'link:cl_a'))
  t.ok(box.openKept(sealed, 'link:cl_a'))
  const tampered = tamperedStart(sealed)
  t.equal(tampered.slice(-40), sealed.slice(-40), 'the kept entry is found by the same last characters')
  t.throws(() => box.openJsonKept(tampered, 'link:cl_a'), SecretUnreadableError, 'but the whole envelope differs: decrypted, and refused')
  t.throws(() => box.openKept(tampered, 'link:cl_a'), SecretUnreadableError, 'the same for the kept text')
})

t.test('kept JSON is one frozen value: a request cannot change what the next one reads', async t => {
  const box = createSecretBox(keys)
  const sealed = box.seal(JSON.stringify({ connection: { secrets: { token: 'abc' } } }), 'link:cl_a')
  const first = box.openJsonKept<{ connection: { secrets: { token: string } } }>(sealed, 'link:cl_a')
  t.throws(() => { first.connection.secrets.token = 'changed' }, TypeError, 'nested values are frozen too')
  t.same(box.openJsonKept(sealed, 'link:cl_a'), { connection: { secrets: { token: 'abc' } } })
  t.equal(box.openJsonKept(sealed, 'link:cl_a'), first, 'the same value, not parsed again')
})

t.test('an envelope under a key this process no longer holds does not open', async t => {
  const old = createSecretBox([{ id: 'old', key: randomBytes(32) }])
  const sealed = old.seal('x', 'a')
  t.throws(() => createSecretBox(keys).openKept(sealed, 'a'), /unknown key id old/)
})

t.test('a value opened long ago is decrypted again: the kept text expires', async t => {
  let now = 1_000_000
  const rotating = [{ id: 'k1', key: randomBytes(32) }]
  const box = createSecretBox(rotating, () => now)
  const sealed = box.seal('v', 'a')
  t.equal(box.openKept(sealed, 'a'), 'v')
  // a key replaced under the same id: a kept text would still answer, a fresh decryption cannot
  ;(rotating[0] as { key: Buffer }).key.fill(0)
  t.equal(box.openKept(sealed, 'a'), 'v', 'within a minute: kept')
  now += 61_000
  t.throws(() => box.openKept(sealed, 'a'), SecretUnreadableError, 'after a minute: decrypted again')
})
