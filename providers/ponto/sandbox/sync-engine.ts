/**
 * Synchronizations in the Ponto sandbox, with the banks' behaviours in Ponto's own terms:
 * `accountRecentlySynchronized` (400) for the daily bank's second sync in 24 h and past PSD2's four
 * unattended syncs a day; a failed sync for the manual bank without `customerIpAddress`; and
 * `authorizationExpired` once the account authorization has lapsed.
 */
import { randomUUID } from 'node:crypto'
import type { PontoResource } from '../normalize.js'
import type { SandboxContext } from './context.js'
import { accountRows, uuidFrom, type Row, type SandboxAccount } from './data.js'
import { CUSTOMER_PRESENCE_REQUIRED } from '../errors.js'
import { syncDoneAt, syncStatus, type Synchronization } from './state.js'

const DAY_MS = 86_400_000
const UNATTENDED_PER_DAY = 4

export type CreateOutcome = { sync: Synchronization } | { refused: { code: string, detail: string } }

export function createSynchronization (ctx: SandboxContext, account: SandboxAccount, subtype: string, customerIpAddress: string | null): CreateOutcome {
  const now = ctx.now()
  const recent = [...ctx.state.syncs.values()].filter(s => s.accountId === account.id && now - s.createdAt < DAY_MS)
  const bank = account.institution.bank
  const tooSoon = { code: 'accountRecentlySynchronized', detail: 'This type of synchronization was already created recently for the account. Try again later or on the Dashboard.' }
  if (bank.oncePerDay && recent.some(s => s.subtype === subtype && s.outcome === 'success')) return { refused: tooSoon }
  if (customerIpAddress === null && recent.filter(s => s.customerIpAddress === null).length >= UNATTENDED_PER_DAY) return { refused: tooSoon }
  const authorization = ctx.state.authorizations.get(account.id)
  const errors: Array<Record<string, unknown>> = []
  if (authorization === undefined || authorization.expiresAt <= now) {
    errors.push({ code: 'authorizationExpired', detail: 'The authorization has expired, you should ask the customer to reauthorize the account', meta: {} })
  } else if (bank.manualOnly && customerIpAddress === null) {
    errors.push({
      code: CUSTOMER_PRESENCE_REQUIRED,
      detail: 'The financial institution only allows synchronizations while the customer is present (customerIpAddress).',
      meta: { financialInstitutionResponse: { statusCode: 429, body: { tppMessages: [{ category: 'ERROR', code: 'ACCESS_EXCEEDED', text: 'Access without the PSU present is not allowed for this account' }] }, requestId: uuidFrom('fi-request', account.id, now), timestamp: new Date(now).toISOString(), requestUri: 'https://bank.sandbox.invalid/v1/accounts' } }
    })
  }
  const sync: Synchronization = { id: randomUUID(), accountId: account.id, subtype, createdAt: now, customerIpAddress, outcome: errors.length > 0 ? 'error' : 'success', errors, notified: false }
  ctx.state.syncs.set(sync.id, sync)
  return { sync }
}

export function renderSynchronization (ctx: SandboxContext, sync: Synchronization): PontoResource {
  const status = syncStatus(sync, ctx.now())
  const final = status === 'success' || status === 'error'
  return {
    type: 'synchronization',
    id: sync.id,
    attributes: {
      createdAt: new Date(sync.createdAt).toISOString(),
      updatedAt: new Date(final ? syncDoneAt(sync) : sync.createdAt).toISOString(),
      subtype: sync.subtype,
      status,
      resourceType: 'account',
      resourceId: sync.accountId,
      errors: status === 'error' ? sync.errors : []
    },
    relationships: {
      updatedTransactions: { links: { related: `${ctx.baseUrl}/ponto-connect/synchronizations/${sync.id}/updated-transactions`, meta: { type: 'transaction' } } },
      updatedPendingTransactions: { links: { related: `${ctx.baseUrl}/ponto-connect/synchronizations/${sync.id}/updated-pending-transactions`, meta: { type: 'pendingTransaction' } } }
    } as unknown as PontoResource['relationships']
  }
}

/** Latest synchronization of an account (optionally of one subtype), newest first. */
export function latestSynchronization (ctx: SandboxContext, accountId: string, subtype?: string): Synchronization | null {
  let latest: Synchronization | null = null
  for (const s of ctx.state.syncs.values()) {
    if (s.accountId !== accountId || (subtype !== undefined && s.subtype !== subtype)) continue
    if (latest === null || s.createdAt >= latest.createdAt) latest = s
  }
  return latest
}

/** Booked rows a successful sync brought in: imported after the previous successful one finished. */
export function updatedRows (ctx: SandboxContext, sync: Synchronization, account: SandboxAccount): Row[] {
  if (syncStatus(sync, ctx.now()) !== 'success') return []
  let since = Number.NEGATIVE_INFINITY
  for (const s of ctx.state.syncs.values()) {
    if (s.accountId === sync.accountId && s.subtype === sync.subtype && s.outcome === 'success' && s.createdAt < sync.createdAt) since = Math.max(since, syncDoneAt(s))
  }
  const until = syncDoneAt(sync)
  const { booked } = accountRows(account, until, ctx.baseUrl, ctx.state)
  return booked.filter(r => r.createdAt > since && r.createdAt <= until)
}
