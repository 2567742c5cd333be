/**
 * The provider contract: what every aggregator adapter offers the broker, and the normalised
 * account and transaction shapes (providers.md §7). Nothing in providers/ imports from src/.
 */
import type { Dispatcher } from 'undici'
import type { Logger } from 'pino'

export type ProviderId = 'plaid' | 'yodlee' | 'saltedge' | 'ponto' | 'enablebanking'
export const PROVIDER_IDS: readonly ProviderId[] = ['plaid', 'yodlee', 'saltedge', 'ponto', 'enablebanking']

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

/** How a bank lets the broker refresh it (Odoo docs: some banks are manual-only, some once a day). */
export type RefreshPolicy = 'automatic' | 'manual_only' | 'once_per_day'

export interface Institution {
  /** Provider-scoped id (Plaid `ins_…`, Salt Edge provider code, EB `name|country`, …). */
  id: string
  provider: ProviderId
  name: string
  /** ISO 3166-1 alpha-2, upper case; `XX` for international institutions. */
  country: string
  bic: string | null
  logoUrl: string | null
  beta: boolean
  /** Days of history the institution gives, or null when unknown. */
  historyDays: number | null
  refreshPolicy: RefreshPolicy
  /** True when the consent step asks the user for an extra one-time code. */
  mfa: boolean
  /** Days a consent lasts, or null when it does not expire. */
  consentDays: number | null
}

/** End-user context (Odoo `utils.psu_info`); its presence means the user is present. */
export interface PsuInfo {
  ip: string
  userAgent: string
}

/** What the broker stores (encrypted) for a connection; only the adapter reads `secrets`. */
export interface Connection {
  provider: ProviderId
  institutionId: string
  /** Provider tokens and ids. The broker encrypts this whole object at rest. */
  secrets: JsonObject
}

export interface ConsentStartInput {
  institutionId: string
  /** Where the provider sends the user back (our callback, with `state`). */
  redirectUri: string
  /** Opaque, unguessable value the broker checks on the way back. */
  state: string
  lang: string
  userEmail: string | null
  psu: PsuInfo | null
  /** Set for reconnect / update-credentials on an existing connection. */
  existing: Connection | null
}

export interface ConsentStart {
  /** Absolute URL of the provider's consent page to send the user to. */
  url: string
  /** Adapter data needed to complete (PKCE verifier, authorization id, …); stored encrypted. */
  pending: JsonObject
}

export interface ConsentCompleteInput {
  institutionId: string
  redirectUri: string
  pending: JsonObject
  /** The query string the provider appended on the way back to `redirectUri`. */
  callback: Record<string, string>
  existing: Connection | null
}

export interface Money {
  amount: string
  currency: string
}

export interface Account {
  /** Stable key for this account across re-links (EB `identification_hash`, Plaid `account_id`, …). */
  id: string
  /** The id to use in provider calls right now (EB `uid` changes per session). */
  providerAccountId: string
  name: string
  /** Full IBAN / account number when the provider gives it, else the masked one, else null. */
  accountNumber: string | null
  currency: string
  /** Booked/current balance as a decimal string. */
  balance: string | null
  availableBalance: string | null
  /** Institution BIC when known. */
  bic: string | null
  /** Credit cards and loans: the provider reports balances with the opposite sign. */
  inverseBalanceSign: boolean
  inverseTransactionSign: boolean
  /** ISO date (YYYY-MM-DD) the consent for this account ends, when the provider says. */
  consentExpiresAt: string | null
}

export type TransactionStatus = 'pending' | 'booked' | 'scheduled' | 'cancelled' | 'rejected' | 'hold' | 'unknown'

export interface Party {
  name: string | null
  iban: string | null
  accountNumber: string | null
  bic: string | null
}

export interface NormalizedTransaction {
  /** Stable and unique per account across re-fetches; becomes `online_transaction_identifier`. */
  id: string
  accountId: string
  providerTransactionId: string | null
  /** Plaid `pending_transaction_id`: the pending entry this posted one replaces. */
  supersedesPendingId: string | null
  status: TransactionStatus
  rawStatus: string | null
  /** Signed decimal string, `+` = money in (credit to the holder). Never a float. */
  amount: string
  currency: string
  /** Foreign/original amount when the provider gives it. */
  originalAmount: Money | null
  /** Booking date `YYYY-MM-DD` (posted date); null for pending entries that have none. */
  bookingDate: string | null
  valueDate: string | null
  transactionDate: string | null
  /** Best single human line. */
  description: string
  /** The bank's own remittance text, kept for reconciliation. */
  remittanceInformation: string[]
  structuredReference: string | null
  counterparty: Party | null
  endToEndId: string | null
  merchantName: string | null
  /** A compact subset of provider fields worth showing in Odoo's `transaction_details`. */
  details: JsonObject
}

export interface TransactionSyncRequest {
  account: Account
  /** Inclusive lower bound the broker needs (already capped to the institution's history). */
  fromDate: string
  /** Inclusive upper bound (today in the bank's calendar). */
  toDate: string
  /** Adapter-owned cursor saved by the broker after the previous complete sync (Plaid cursor). */
  syncState: JsonValue | null
  userPresent: boolean
  psu: PsuInfo | null
}

/** One provider page of a sync run. The broker applies pages in order and saves `syncState` only after the last. */
export interface TransactionSyncPage {
  /** Booked and pending entries to insert or replace (by `id`). */
  upserts: NormalizedTransaction[]
  /** Ids to delete (Plaid `removed`, pending entries superseded by posted ones). */
  removed: string[]
  /**
   * True when this run lists every pending entry of the window, so the broker may drop pending
   * entries it did not see (snapshot providers: Yodlee, Salt Edge, Ponto, Enable Banking).
   */
  pendingIsSnapshot: boolean
  syncState: JsonValue | null
  /** Replacement secrets when the adapter rotated a token during the call. */
  secrets?: JsonObject
}

export interface RefreshResult {
  /** `started`: the provider is fetching (poll later); `done`: data already fresh. */
  status: 'started' | 'done'
  secrets?: JsonObject
}

export interface ProviderDeps {
  /** Base URL of the provider API (its sandbox in sandbox mode). */
  baseUrl: string
  dispatcher?: Dispatcher
  logger?: Logger
  /** Injected clock (ms since epoch) so tests can move time. */
  now?: () => number
  /** Per-call deadline in ms, including retries. */
  timeoutMs?: number
}

/** What an adapter offers. Every method throws `ProviderError` (providers/errors.ts) on failure. */
export interface ProviderAdapter {
  id: ProviderId
  displayName: string
  /** Institutions, optionally for one country. */
  listInstitutions (country?: string): Promise<Institution[]>
  startConsent (input: ConsentStartInput): Promise<ConsentStart>
  completeConsent (input: ConsentCompleteInput): Promise<Connection>
  listAccounts (conn: Connection, psu: PsuInfo | null): Promise<{ accounts: Account[], secrets?: JsonObject }>
  syncTransactions (conn: Connection, req: TransactionSyncRequest): AsyncIterable<TransactionSyncPage>
  /** Ask the provider to fetch fresh data from the bank (user-initiated or scheduled). */
  refresh (conn: Connection, opts: { userPresent: boolean, psu: PsuInfo | null, account: Account | null }): Promise<RefreshResult>
  /** ISO date the consent ends, or null when it does not expire. */
  consentExpiry (conn: Connection): Promise<string | null>
  /** Revoke the consent at the provider. Idempotent: revoking twice succeeds. */
  revoke (conn: Connection): Promise<void>
  /** Verify a signed webhook/callback; throws `ProviderError` kind `invalid_request` when forged. */
  verifyWebhook?: (input: { headers: Record<string, string | string[] | undefined>, rawBody: Buffer, url: string }) => Promise<JsonObject>
}
