/**
 * On Redis Cluster a multi-key command (Lua script, MULTI, DEL k1 k2…) works only when its keys
 * hash to one slot. This checks the key layout without a cluster: every per-database key builder
 * lands in its database's slot, and the keys of each multi-key operation the code runs share one
 * slot. The slot function is checked against the cluster specification's examples first.
 */
import t from 'tap'
import { createKeys, type Keys } from '../../src/store/keys.js'
import { crc16Of, hashTag, keySlot } from './slot.js'

const DB = '5f0c2f5e-7d3b-4c57-9a49-0d1c2b3a4e5f'
const CLIENT = 'cl_0123456789abcdef0123456789abcdef'
const ACCOUNT = 'acc_1'
/** Per-database builders used only alone (one key per command), so their slot does not matter. */
const USED_ALONE = new Set(['demoClients'])

t.test('the slot function matches the cluster specification', async t => {
  t.equal(crc16Of('123456789'), 0x31c3, 'CRC16 XModem check value')
  t.equal(keySlot('foo'), 12182)
  t.equal(keySlot('bar'), 5061)
  t.equal(hashTag('{user1000}.following'), 'user1000')
  t.equal(hashTag('foo{}{bar}'), 'foo{}{bar}', 'an empty tag hashes the whole key')
  t.equal(hashTag('foo{{bar}}zap'), '{bar', 'the tag ends at the first } after the first {')
  t.equal(hashTag('foo{bar}{zap}'), 'bar', 'only the first tag counts')
})

for (const prefix of ['bsb:', 'test:ab12cd34:']) {
  const keys = createKeys(prefix)
  const dbSlot = keySlot(`{d:${DB}}`)

  t.test(`prefix ${JSON.stringify(prefix)}: every per-database key is in its database's slot`, async t => {
    const sample: Record<string, string> = { dbUuid: DB, clientId: CLIENT, accountId: ACCOUNT }
    let checked = 0
    for (const [name, build] of Object.entries(keys) as Array<[string, (...a: string[]) => string]>) {
      const params = /^\(?\s*([^)=]*)/.exec(build.toString())?.[1]?.split(',').map(p => p.trim()).filter(p => p !== '') ?? []
      if (params[0] !== 'dbUuid' || USED_ALONE.has(name)) continue
      const key = build(...params.map(p => sample[p] ?? 'x'))
      t.equal(keySlot(key), dbSlot, `${name}: ${key}`)
      checked++
    }
    t.ok(checked >= 15, `${checked} per-database builders checked`)
  })

  /** The keys each multi-key operation of the code passes to one command, script or MULTI. */
  const operations: Array<[string, (k: Keys) => string[]]> = [
    ['gate scripts (src/store/gate-script.ts)', k => [k.client(DB, CLIENT), k.subscription(DB), k.dbLock(DB), k.clientRate(DB, CLIENT), k.clientBaseline(DB, CLIENT), k.psuIps(DB, CLIENT)]],
    ['client creation MULTI (record + database index)', k => [k.client(DB, CLIENT), k.dbClients(DB)]],
    ['lock-forgetting DEL (src/locks/store.ts)', k => [k.psuIps(DB, CLIENT), k.clientBaseline(DB, CLIENT)]],
    ['unlock scripts (src/locks/unlock.ts)', k => [k.client(DB, CLIENT), k.unlockCode(DB, CLIENT), k.dbLock(DB)]],
    ['ledger MULTI (src/ledger/store.ts)', k => [k.ledger(DB, CLIENT, ACCOUNT), k.pendingLedger(DB, CLIENT, ACCOUNT), k.ledgerItems(DB, CLIENT, ACCOUNT), k.syncState(DB, CLIENT, ACCOUNT)]],
    ['link removal DEL (src/link/store.ts)', k => [k.link(DB, CLIENT), k.accounts(DB, CLIENT)]],
    ['catalogue refresh MULTI (src/catalogue/store.ts)', k => [k.catalogue('version'), k.catalogue('data:1700000000000-abcd'), k.catalogue('data:1690000000000-ef01'), k.catalogue('lock')]],
    ['phone-code send windows MULTI (src/link/phone-verification.ts)', k => [k.smsSends('p:0123456789abcdef0123456789abcdef'), k.smsSends(`d:${DB}`)]]
  ]
  for (const [operation, keysOf] of operations) {
    t.test(`prefix ${JSON.stringify(prefix)}: ${operation} stays in one slot`, async t => {
      const used = keysOf(keys)
      t.same(new Set(used.map(keySlot)).size, 1, used.join(' '))
    })
  }
}
