/**
 * A sandbox link's state as Yodlee reports it: providerAccount `status`, dataset `additionalStatus`,
 * `updateEligibility` and `nextUpdateScheduled`, plus the account and consent JSON.
 */
import { isoDate, minorToDecimal, openingBalanceMinor } from '../../sandbox-kit/history.js'
import type { SandboxStore, LinkState, AccountState } from './store.js'
import { historyOf } from './transactions.js'

export const REFRESH_MS = 5_000
export const MIN_REFRESH_GAP_MS = 15 * 60_000
export const DAY_MS = 86_400_000

const USER_MUST_ACT = new Set([
  'INCORRECT_CREDENTIALS', 'ACCOUNT_LOCKED', 'ADDL_AUTHENTICATION_REQUIRED', 'CREDENTIALS_UPDATE_NEEDED',
  'USER_ACTION_NEEDED_AT_SITE', 'NEW_AUTHENTICATION_REQUIRED', 'CONSENT_REQUIRED', 'CONSENT_EXPIRED',
  'CONSENT_REVOKED', 'INCORRECT_OAUTH_TOKEN', 'INVALID_ADDL_INFO_PROVIDED'
])

/** Yodlee timestamps: `2017-09-21T06:08:29Z` (no milliseconds). */
export function isoSeconds (ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export interface LinkStatus {
  status: 'SUCCESS' | 'IN_PROGRESS' | 'FAILED'
  additionalStatus: string
  updateEligibility: 'ALLOW_UPDATE' | 'ALLOW_UPDATE_WITH_CREDENTIALS' | 'DISALLOW_UPDATE'
  nextUpdateScheduled: number | null
}

export function consentExpired (link: LinkState, now: number): boolean {
  return link.consent !== null && !link.consent.revoked && isoDate(now) > link.consent.expirationDate
}

/** Current status; a finished refresh is settled on read. */
export function linkStatus (link: LinkState, now: number): LinkStatus {
  if (link.refreshUntil !== null && now >= link.refreshUntil) {
    if (link.forced === null) link.lastUpdated = link.refreshUntil
    link.refreshUntil = null
  }
  let status: LinkStatus['status'] = 'SUCCESS'
  let additionalStatus = 'AVAILABLE_DATA_RETRIEVED'
  // A problem only the user can fix shows at once; a site failure shows when a refresh has ended.
  if (link.forced !== null && USER_MUST_ACT.has(link.forced)) {
    status = 'FAILED'
    additionalStatus = link.forced
  } else if (consentExpired(link, now)) {
    status = 'FAILED'
    additionalStatus = 'CONSENT_EXPIRED'
  } else if (link.refreshUntil !== null) {
    status = 'IN_PROGRESS'
    additionalStatus = now - link.lastUpdateAttempt < REFRESH_MS / 2 ? 'LOGIN_IN_PROGRESS' : 'DATA_RETRIEVAL_IN_PROGRESS'
  } else if (link.forced !== null) {
    status = 'FAILED'
    additionalStatus = link.forced
  }
  const waiting = link.nextAllowedAt !== null && now < link.nextAllowedAt
  const updateEligibility = USER_MUST_ACT.has(additionalStatus)
    ? 'ALLOW_UPDATE_WITH_CREDENTIALS'
    : waiting ? 'DISALLOW_UPDATE' : link.provider.bank.manualOnly ? 'ALLOW_UPDATE_WITH_CREDENTIALS' : 'ALLOW_UPDATE'
  let nextUpdateScheduled: number | null = null
  if (waiting) nextUpdateScheduled = link.nextAllowedAt
  else if (!link.provider.bank.manualOnly) nextUpdateScheduled = Date.parse(`${isoDate(now + DAY_MS)}T03:00:00Z`)
  return { status, additionalStatus, updateEligibility, nextUpdateScheduled }
}

function datasetJson (link: LinkState, st: LinkStatus): Record<string, unknown> {
  return {
    name: 'BASIC_AGG_DATA',
    additionalStatus: st.additionalStatus,
    updateEligibility: st.updateEligibility,
    lastUpdated: isoSeconds(link.lastUpdated),
    lastUpdateAttempt: isoSeconds(link.lastUpdateAttempt),
    ...(st.nextUpdateScheduled !== null ? { nextUpdateScheduled: isoSeconds(st.nextUpdateScheduled) } : {})
  }
}

export function providerAccountJson (link: LinkState, now: number): Record<string, unknown> {
  const st = linkStatus(link, now)
  return {
    id: link.id,
    aggregationSource: 'USER',
    providerId: link.provider.id,
    requestId: link.requestId,
    isManual: false,
    createdDate: isoSeconds(link.createdAt),
    status: st.status,
    ...(link.consent !== null ? { consentId: link.consent.id } : {}),
    dataset: [datasetJson(link, st)]
  }
}

function moneyJson (minor: number, currency: string): { amount: number, currency: string } {
  return { amount: Number(minorToDecimal(minor)), currency }
}

export function accountJson (store: SandboxStore, link: LinkState, account: AccountState, now: number): Record<string, unknown> {
  const st = linkStatus(link, now)
  const bank = link.provider.bank
  const currency = link.provider.currency
  const extra = store.extras.list(String(account.id))
  const all = [...historyOf(store, { seed: account.seed, currency, historyDays: bank.historyDays, now }), ...extra]
  // As the kit's bookedBalanceMinor: opening balance plus every posted entry.
  const booked = all.filter(t => !t.pending).reduce((sum, t) => sum + t.amountMinor, openingBalanceMinor(account.seed))
  const pending = all.filter(t => t.pending).reduce((sum, t) => sum + t.amountMinor, 0)
  return {
    CONTAINER: 'bank',
    providerAccountId: link.id,
    accountName: account.name,
    accountNumber: account.maskedNumber,
    accountStatus: 'ACTIVE',
    accountType: account.type,
    aggregationSource: 'USER',
    isAsset: true,
    isManual: false,
    includeInNetWorth: true,
    balance: moneyJson(booked, currency),
    currentBalance: moneyJson(booked, currency),
    availableBalance: moneyJson(booked + pending, currency),
    createdDate: isoSeconds(link.createdAt),
    lastUpdated: isoSeconds(link.lastUpdated),
    id: account.id,
    providerId: String(link.provider.id),
    providerName: bank.name,
    displayedName: 'SANDBOX BUSINESS',
    dataset: [datasetJson(link, st)]
  }
}

export function consentJson (link: LinkState, now: number): Record<string, unknown> | null {
  const c = link.consent
  if (c === null) return null
  return {
    consentId: c.id,
    providerId: link.provider.id,
    providerAccountId: link.id,
    consentStatus: c.revoked ? 'REVOKED' : consentExpired(link, now) ? 'EXPIRED' : 'ACTIVE',
    startDate: c.startDate,
    expirationDate: c.expirationDate,
    title: 'Sandbox Open Banking consent',
    titleBody: 'Share your accounts, balances and transactions with the bank-sync broker.',
    applicationDisplayName: 'Bank-sync broker (sandbox)',
    dataAccessFrequency: 'RECURRING',
    scope: [{ scopeId: 'ACCOUNT_DETAILS' }, { scopeId: 'TRANSACTION_DETAILS' }]
  }
}
