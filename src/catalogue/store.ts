/**
 * The catalogue in Redis: every provider's `listInstitutions()` under one version, written by
 * whichever instance holds the refresh lock. Readers follow `cat:version`; a provider that fails
 * during a refresh keeps its listing from the previous version.
 */
import { randomBytes } from 'node:crypto'
import type { Services } from '../services.js'
import type { Institution } from '../../providers/types.js'

/** Catalogue keys live two days: a refresh every 24 h renews them, a missed one leaves a day of slack. */
export const CATALOGUE_TTL_SECONDS = 2 * 86_400
/** After a new version is written the previous one stays readable this long for instances still on it. */
const OLD_VERSION_TTL_SECONDS = 3_600
const LOCK_MS = 5 * 60_000
const META = '_meta'

export interface CatalogueMeta {
  version: string
  refreshedAt: number
  counts: Record<string, number>
  failed: string[]
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

export function createCatalogueStore (s: Services) {
  const versionKey = s.keys.catalogue('version')
  const dataKey = (version: string): string => s.keys.catalogue(`data:${version}`)

  async function currentVersion (): Promise<string | null> {
    return await s.redis.get(versionKey)
  }

  async function meta (version: string): Promise<CatalogueMeta | null> {
    const raw = await s.redis.hget(dataKey(version), META)
    return raw === null ? null : JSON.parse(raw) as CatalogueMeta
  }

  async function load (version: string): Promise<Institution[] | null> {
    const all = await s.redis.hgetall(dataKey(version))
    if (all[META] === undefined) return null
    const out: Institution[] = []
    for (const [field, value] of Object.entries(all)) if (field !== META) out.push(...JSON.parse(value) as Institution[])
    return out
  }

  /**
   * Refreshes from every provider when this instance gets the lock. `version` is null when another
   * instance holds the lock (`locked`) or when no provider answered and there was nothing to keep.
   */
  async function refresh (): Promise<{ version: string | null, locked: boolean }> {
    const token = randomBytes(12).toString('hex')
    const lockKey = s.keys.catalogue('lock')
    if (await s.redis.set(lockKey, token, 'PX', LOCK_MS, 'NX') !== 'OK') return { version: null, locked: true }
    try {
      const previous = await currentVersion()
      const version = `${s.now()}-${randomBytes(4).toString('hex')}`
      const fields: Record<string, string> = {}
      const counts: Record<string, number> = {}
      const failed: string[] = []
      for (const entry of s.providers.list()) {
        try {
          const list = await entry.adapter.listInstitutions()
          fields[entry.id] = JSON.stringify(list)
          counts[entry.id] = list.length
        } catch (err) {
          failed.push(entry.id)
          s.log?.warn({ provider: entry.id, err: (err as Error).message }, 'catalogue: provider listing failed, keeping the previous one')
          const old = previous === null ? null : await s.redis.hget(dataKey(previous), entry.id)
          if (old !== null) { fields[entry.id] = old; counts[entry.id] = (JSON.parse(old) as unknown[]).length }
        }
      }
      if (Object.keys(fields).length === 0) {
        s.log?.warn({ failed }, 'catalogue: no provider answered; nothing written')
        return { version: null, locked: false }
      }
      const m: CatalogueMeta = { version, refreshedAt: s.now(), counts, failed }
      fields[META] = JSON.stringify(m)
      const tx = s.redis.multi().hset(dataKey(version), fields).expire(dataKey(version), CATALOGUE_TTL_SECONDS).set(versionKey, version, 'EX', CATALOGUE_TTL_SECONDS)
      if (previous !== null) tx.expire(dataKey(previous), OLD_VERSION_TTL_SECONDS)
      await tx.exec()
      s.log?.info({ version, counts, failed }, 'catalogue refreshed')
      return { version, locked: false }
    } finally {
      await s.redis.eval(RELEASE, 1, lockKey, token).catch(() => {})
    }
  }

  return { currentVersion, meta, load, refresh }
}

export type CatalogueStore = ReturnType<typeof createCatalogueStore>
