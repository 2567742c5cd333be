/**
 * Link health from `GET /providerAccounts/{id}`: Yodlee reports aggregation problems in the
 * providerAccount `status` and `dataset[].additionalStatus`, not as HTTP errors.
 */
import { ProviderError } from '../errors.js'
import type { YodleeClient } from './client.js'
import { aggregationError, badResponse, stateOfAdditionalStatus } from './errors.js'
import type { YDataset, YProviderAccount } from './wire.js'

export async function getProviderAccount (client: YodleeClient, loginName: string, providerAccountId: string): Promise<YProviderAccount> {
  const body = await client.json<{ providerAccount?: unknown }>(loginName, {
    method: 'GET', path: `/providerAccounts/${encodeURIComponent(providerAccountId)}`, idempotent: true
  })
  const list = body.providerAccount
  const pa = Array.isArray(list) ? list[0] as YProviderAccount | undefined : list as YProviderAccount | undefined
  if (pa === undefined || pa === null || typeof pa !== 'object') throw badResponse('Yodlee providerAccount answer without providerAccount')
  return pa
}

/** The dataset that carries transactions (BASIC_AGG_DATA), or the first one. */
export function mainDataset (pa: { dataset?: YDataset[] }): YDataset {
  const ds = Array.isArray(pa.dataset) ? pa.dataset : []
  return ds.find(d => d.name === 'BASIC_AGG_DATA') ?? ds[0] ?? {}
}

const RUNNING = new Set(['LOGIN_IN_PROGRESS', 'IN_PROGRESS', 'MIGRATION_IN_PROGRESS'])

export function isRunning (pa: YProviderAccount): boolean {
  return RUNNING.has(pa.status ?? '') || stateOfAdditionalStatus(mainDataset(pa).additionalStatus) === 'in_progress'
}

/**
 * Throws when the link cannot serve data now. `transactions` also waits for a running refresh, so a
 * sync after `refresh()` reads the fresh data rather than the old cache; `accounts` only waits for
 * the first aggregation.
 */
export function assertReadable (pa: YProviderAccount, purpose: 'accounts' | 'transactions'): void {
  const ds = mainDataset(pa)
  const additional = ds.additionalStatus ?? null
  const state = stateOfAdditionalStatus(additional)
  if (state === 'reauth_required' || state === 'provider_down') {
    throw aggregationError(state, additional as string, 'cannot read this link')
  }
  if (pa.status === 'USER_INPUT_REQUIRED') {
    throw new ProviderError({ provider: 'yodlee', kind: 'reauth_required', message: 'Yodlee waits for MFA input from the user', providerCode: 'USER_INPUT_REQUIRED' })
  }
  if (isRunning(pa) && (purpose === 'transactions' || ds.lastUpdated === undefined)) {
    throw new ProviderError({
      provider: 'yodlee',
      kind: 'not_ready',
      message: `Yodlee is still aggregating this link (${pa.status ?? 'unknown'}/${additional ?? 'none'})`,
      providerCode: additional ?? pa.status ?? null
    })
  }
  if (pa.status === 'FAILED' || pa.status === 'DATA_RETRIEVAL_FAILED') {
    throw aggregationError('provider_down', additional ?? pa.status, 'last aggregation failed')
  }
}
