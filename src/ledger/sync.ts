/**
 * One sync run of an account: provider pages → ledger, under a per-account mutex, within the
 * provider quotas (PSD2 unattended cap, 429 cool-downs). The provider cursor is saved only after
 * the last page, so an interrupted run restarts from the same point and stores nothing twice.
 */
import { randomBytes } from 'node:crypto'
import type { Services } from '../services.js'
import type { Account, PsuInfo } from '../../providers/types.js'
import { ProviderError } from '../../providers/errors.js'
import { AppError } from '../errors.js'
import { createLedger, dayDate, dayNumber } from './store.js'
import { saveRotatedSecrets, type LinkData } from '../link/store.js'

export interface SyncInput {
  dbUuid: string
  clientId: string
  link: LinkData
  account: Account
  userPresent: boolean
  psu: PsuInfo | null
  /** Ignore freshness (user asked for "Sync now"). */
  force: boolean
}

export type SyncOutcome = 'synced' | 'fresh' | 'busy' | 'quota'

const FRESH_MS = { present: 5 * 60_000, unattended: 60 * 60_000 }
const OVERLAP_DAYS = 30
const DEFAULT_HISTORY_DAYS = 730
const LOCK_MS = 60_000

const RELEASE_LUA = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"

export async function syncAccount (s: Services, input: SyncInput): Promise<SyncOutcome> {
  const { link, account } = input
  const entry = link.provider !== undefined ? s.providers.get(link.provider) : undefined
  if (entry === undefined || link.connection === undefined) throw new AppError('BSB_DATA_CORRUPTED', { detail: `link has no usable provider (${link.provider ?? 'none'})` })
  const provider = entry.id
  const ledger = createLedger(s, input.dbUuid, input.clientId, account.id)
  const meta = await ledger.meta()
  const lastSync = Number(meta.last_sync ?? 0)
  const now = s.now()
  if (!input.force && lastSync > 0 && now - lastSync < (input.userPresent ? FRESH_MS.present : FRESH_MS.unattended)) return 'fresh'
  if (!input.userPresent && link.institution?.refreshPolicy === 'manual_only') {
    throw new AppError('BSB_MANUAL_SYNC_ONLY', { detail: 'unattended sync of a manual-only institution', provider })
  }
  const scope = `${provider}:${input.clientId}`
  const cooling = await s.quotas.coolingDown(scope)
  if (!cooling.allowed) {
    if (lastSync > 0) return 'quota'
    throw new AppError('BSB_PROVIDER_RATE_LIMITED', { detail: 'provider cool-down', provider, retryAfterSeconds: Math.ceil((cooling.retryAt - now) / 1000) })
  }
  const quota = await s.quotas.unattendedAccess(provider, account.id, input.userPresent)
  if (!quota.allowed) {
    if (lastSync > 0) return 'quota'
    throw new AppError('BSB_PROVIDER_RATE_LIMITED', { detail: 'PSD2 unattended access limit', provider, retryAfterSeconds: Math.ceil((quota.retryAt - now) / 1000) })
  }
  const lockKey = s.keys.syncLock(input.dbUuid, input.clientId, account.id)
  const token = randomBytes(16).toString('hex')
  if (await s.redis.set(lockKey, token, 'PX', LOCK_MS, 'NX') === null) return 'busy'
  try {
    const today = dayDate(Math.floor(now / 86_400_000))
    const historyStart = dayNumber(today) - (link.institution?.historyDays ?? DEFAULT_HISTORY_DAYS)
    const from = lastSync > 0 ? Math.max(historyStart, Math.floor(lastSync / 86_400_000) - OVERLAP_DAYS) : historyStart
    const fromDate = dayDate(from)
    const gen = Number(meta.gen ?? 0) + 1
    const seenPending = new Set<string>()
    let snapshot = false
    let syncState = meta.sync_state !== undefined ? JSON.parse(meta.sync_state) : null
    let current = link
    for await (const page of entry.adapter.syncTransactions(link.connection, { account, fromDate, toDate: today, syncState, userPresent: input.userPresent, psu: input.psu })) {
      await ledger.apply(page.upserts, page.removed, gen)
      for (const t of page.upserts) if (t.status !== 'booked') seenPending.add(t.id)
      snapshot = snapshot || page.pendingIsSnapshot
      syncState = page.syncState
      current = await saveRotatedSecrets(s, input.dbUuid, input.clientId, current, page.secrets)
    }
    if (snapshot) await ledger.prunePending(seenPending, fromDate)
    await ledger.saveMeta({ last_sync: String(now), gen: String(gen), sync_state: JSON.stringify(syncState ?? null), history_start: dayDate(historyStart) })
    return 'synced'
  } catch (err) {
    if (err instanceof ProviderError && err.kind === 'rate_limited') await s.quotas.coolDown(scope, err.retryAfterSeconds ?? 60)
    throw err
  } finally {
    await s.redis.eval(RELEASE_LUA, 1, lockKey, token).catch(() => {})
  }
}
