/**
 * The catalogue as the link flow and the dashboard use it: searches run on an in-process index
 * built from the Redis catalogue and rebuilt when the catalogue version changes (checked at most
 * every few seconds, so a keystroke costs no Redis round trip). Refreshes run on start when the
 * catalogue is missing or older than a day, then hourly checks refresh it once a day (one instance,
 * by lock), or within the hour when a provider failed last time.
 */
import type { Services } from '../services.js'
import { dedupe, type CatalogueEntry } from './dedup.js'
import { buildIndex, type CatalogueIndex, type SearchOptions } from './search-index.js'
import { createCatalogueStore } from './store.js'

export const REFRESH_EVERY_MS = 24 * 3_600_000
const CHECK_EVERY_MS = 3_600_000
const VERSION_CHECK_MS = 5_000
const WAIT_FOR_OTHER_MS = 20_000

export interface CatalogueOptions {
  versionCheckMs?: number
}

export function createCatalogue (s: Services, opts: CatalogueOptions = {}) {
  const store = createCatalogueStore(s)
  const versionCheckMs = opts.versionCheckMs ?? VERSION_CHECK_MS
  let current: { version: string, index: CatalogueIndex } | null = null
  let checkedAt = 0
  let loading: Promise<CatalogueIndex> | null = null
  let timer: NodeJS.Timeout | null = null

  async function versionOrRefresh (): Promise<string | null> {
    const version = await store.currentVersion()
    if (version !== null) return version
    const fresh = await store.refresh()
    if (fresh.version !== null || !fresh.locked) return fresh.version
    // Another instance is refreshing: wait for its version rather than refresh twice.
    const until = Date.now() + WAIT_FOR_OTHER_MS
    while (Date.now() < until) {
      await new Promise(resolve => setTimeout(resolve, 200))
      const v = await store.currentVersion()
      if (v !== null) return v
    }
    return null
  }

  async function load (): Promise<CatalogueIndex> {
    const version = await versionOrRefresh()
    checkedAt = Date.now()
    if (version === null) return (current ?? { index: buildIndex([]) }).index
    if (current !== null && current.version === version) return current.index
    const institutions = await store.load(version) ?? []
    current = { version, index: buildIndex(dedupe(institutions)) }
    return current.index
  }

  async function index (): Promise<CatalogueIndex> {
    if (current !== null && Date.now() - checkedAt < versionCheckMs) return current.index
    loading ??= load().finally(() => { loading = null })
    return await loading
  }

  async function refreshIfStale (): Promise<void> {
    const version = await store.currentVersion()
    const meta = version === null ? null : await store.meta(version)
    const age = meta === null ? Infinity : s.now() - meta.refreshedAt
    // A catalogue missing some provider is retried hourly rather than daily.
    if (age < REFRESH_EVERY_MS && (meta?.failed.length === 0 || age < CHECK_EVERY_MS)) return
    await store.refresh()
  }

  return {
    index,
    refresh: async () => { await store.refresh(); checkedAt = 0 },
    async search (query: string, o: SearchOptions = {}): Promise<CatalogueEntry[]> { return (await index()).search(query, o) },
    async byRef (ref: string): Promise<CatalogueEntry | undefined> { return (await index()).byRef(ref) },
    /** Refresh now when stale, then check hourly. Failures are logged; searches still load lazily. */
    start (): void {
      if (timer !== null) return
      const run = (): void => { refreshIfStale().catch(err => s.log?.warn({ err: (err as Error).message }, 'catalogue refresh failed')) }
      run()
      timer = setInterval(run, CHECK_EVERY_MS)
      timer.unref()
    },
    stop (): void {
      if (timer !== null) clearInterval(timer)
      timer = null
    }
  }
}

export type Catalogue = ReturnType<typeof createCatalogue>
