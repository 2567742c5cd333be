/**
 * Refresh a link with `PUT /providerAccounts?providerAccountIds=` ("allow at least 15 min between
 * requests"). The link's dataset says what is allowed: `ALLOW_UPDATE_WITH_CREDENTIALS` needs the user
 * (manual-only bank), `DISALLOW_UPDATE` + `nextUpdateScheduled` means not yet (15 min, or a day).
 */
import { ProviderError } from '../errors.js'
import type { RefreshResult } from '../types.js'
import type { YodleeClient } from './client.js'
import { aggregationError, badResponse, stateOfAdditionalStatus } from './errors.js'
import { getProviderAccount, isRunning, mainDataset } from './health.js'
import type { LinkSecrets } from './sync.js'
import type { YProviderAccount } from './wire.js'

function tooEarly (pa: YProviderAccount, now: number): ProviderError | null {
  const ds = mainDataset(pa)
  if (ds.updateEligibility !== 'DISALLOW_UPDATE') return null
  const next = typeof ds.nextUpdateScheduled === 'string' ? Date.parse(ds.nextUpdateScheduled) : Number.NaN
  const wait = Number.isNaN(next) ? null : Math.max(1, Math.ceil((next - now) / 1000))
  return new ProviderError({
    provider: 'yodlee',
    kind: 'rate_limited',
    message: 'Yodlee does not allow another refresh of this link yet',
    providerCode: 'DISALLOW_UPDATE',
    retryAfterSeconds: wait,
    nextAllowedAt: Number.isNaN(next) ? null : new Date(next).toISOString()
  })
}

export async function refreshLink (client: YodleeClient, link: LinkSecrets, opts: { userPresent: boolean, now: () => number }): Promise<RefreshResult> {
  // Yodlee: check the providerAccount before asking for an update; never start one while one runs.
  const pa = await getProviderAccount(client, link.loginName, link.providerAccountId)
  if (isRunning(pa)) return { status: 'started' }
  const ds = mainDataset(pa)
  const state = stateOfAdditionalStatus(ds.additionalStatus)
  if (state === 'reauth_required') throw aggregationError(state, ds.additionalStatus as string, 'cannot refresh this link')
  if (ds.updateEligibility === 'ALLOW_UPDATE_WITH_CREDENTIALS' && !opts.userPresent) {
    throw new ProviderError({
      provider: 'yodlee',
      kind: 'user_action_required',
      message: 'this bank only refreshes with the user present (updateEligibility ALLOW_UPDATE_WITH_CREDENTIALS)',
      providerCode: 'ALLOW_UPDATE_WITH_CREDENTIALS'
    })
  }
  const early = tooEarly(pa, opts.now())
  if (early !== null) throw early

  const body = await client.json<{ providerAccount?: unknown }>(link.loginName, {
    method: 'PUT',
    path: '/providerAccounts',
    query: { providerAccountIds: link.providerAccountId },
    // A refresh is a side effect at the bank; a repeat inside 15 minutes is refused anyway.
    idempotent: false
  })
  const list = body.providerAccount
  const after = Array.isArray(list) ? list[0] as YProviderAccount | undefined : undefined
  if (after === undefined || after === null || typeof after !== 'object') throw badResponse('Yodlee refresh answered without providerAccount')
  if (isRunning(after)) return { status: 'started' }
  const afterDs = mainDataset(after)
  const afterState = stateOfAdditionalStatus(afterDs.additionalStatus)
  if (afterState === 'reauth_required' || afterState === 'provider_down') {
    throw aggregationError(afterState, afterDs.additionalStatus as string, 'refresh failed')
  }
  const refused = tooEarly(after, opts.now())
  if (refused !== null) throw refused
  return { status: 'done' }
}
