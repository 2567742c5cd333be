/** Test harness: the Plaid sandbox in a real Fastify on 127.0.0.1, an adapter pointed at it, a movable clock. */
import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import { Agent, request, type Dispatcher } from 'undici'
import { plaidModule } from '../../../providers/plaid/index.js'
import type { PlaidCredentials } from '../../../providers/plaid/credentials.js'
import type { Account, Connection, ConsentStart, JsonValue, NormalizedTransaction, ProviderAdapter, TransactionSyncPage } from '../../../providers/types.js'
import { freePort } from '../../helpers/net.js'

export const START = Date.parse('2025-03-10T12:00:00Z')
export const REDIRECT = 'https://broker.example/v1/callback/plaid'
export const US = { ordinary: 'ins_990001', mfa: 'ins_990002', manual: 'ins_990003', daily: 'ins_990004', shallow: 'ins_990005', beta: 'ins_990006', flaky: 'ins_990007' }
export const CA_ORDINARY = 'ins_990101'

export function fixture<T = any> (name: string): T {
  return JSON.parse(readFileSync(new URL(`../../../../test/providers/plaid/fixtures/${name}`, import.meta.url), 'utf8')) as T
}


/** Counts requests per path so tests can assert retry attempts. */
export function countingDispatcher (): { dispatcher: Dispatcher, counts: Map<string, number>, total: () => number } {
  const counts = new Map<string, number>()
  const dispatcher = new Agent().compose(dispatch => (opts, handler) => {
    const path = String(opts.path).replace(/\?.*$/, '').replace(/^\/sandbox\/plaid/, '')
    counts.set(path, (counts.get(path) ?? 0) + 1)
    return dispatch(opts, handler)
  })
  return { dispatcher, counts, total: () => [...counts.values()].reduce((a, b) => a + b, 0) }
}

export interface Harness {
  app: FastifyInstance
  baseUrl: string
  clock: { t: number }
  now: () => number
  adapter: (opts?: { dispatcher?: Dispatcher, creds?: Partial<PlaidCredentials> }) => ProviderAdapter
  api: (path: string, body: Record<string, unknown>, headers?: Record<string, string>) => Promise<{ status: number, body: any, headers: Record<string, unknown> }>
  close: () => Promise<void>
}

export async function startSandbox (opts: { slowMs?: number, webhookUrl?: string, seed?: string } = {}): Promise<Harness> {
  const clock = { t: START }
  const now = (): number => clock.t
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}/sandbox/plaid`
  const app = Fastify({ logger: false })
  await app.register(plaidModule.sandbox.plugin, { prefix: '/sandbox/plaid', seed: opts.seed ?? 'plaid-test', baseUrl, now, slowMs: opts.slowMs ?? 30, webhookUrl: opts.webhookUrl })
  await app.listen({ host: '127.0.0.1', port })
  const creds = plaidModule.sandbox.credentials(baseUrl)
  return {
    app,
    baseUrl,
    clock,
    now,
    adapter: (o = {}) => plaidModule.createAdapter({ baseUrl, now, timeoutMs: 15_000, dispatcher: o.dispatcher }, { ...creds, ...o.creds }),
    api: async (path, body, headers) => {
      const res = await request(baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(headers ?? { 'plaid-client-id': creds.clientId, 'plaid-secret': creds.secret }) },
        body: JSON.stringify(body)
      })
      const text = await res.body.text()
      return { status: res.statusCode, body: text === '' ? null : JSON.parse(text), headers: res.headers }
    },
    close: async () => { await app.close() }
  }
}

export async function getPage (url: string): Promise<{ status: number, html: string }> {
  const res = await request(url)
  return { status: res.statusCode, html: await res.body.text() }
}

export async function submitConsent (url: string, form: Record<string, string>): Promise<{ status: number, location: string | null, html: string }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
  const location = res.headers.location
  return { status: res.statusCode, location: typeof location === 'string' ? location : null, html: await res.body.text() }
}

export function callbackOf (location: string): Record<string, string> {
  return Object.fromEntries(new URL(location).searchParams)
}

export async function startLink (adapter: ProviderAdapter, institutionId: string, existing: Connection | null = null, state = 'state-abc-123'): Promise<ConsentStart> {
  return await adapter.startConsent({ institutionId, redirectUri: REDIRECT, state, lang: 'en_US', userEmail: null, psu: null, existing })
}

/** Runs Hosted Link end to end (open page, Approve, follow nothing, complete). */
export async function linkItem (adapter: ProviderAdapter, institutionId: string, otp?: string): Promise<Connection> {
  const start = await startLink(adapter, institutionId)
  await getPage(start.url)
  const done = await submitConsent(start.url, otp === undefined ? { decision: 'approve' } : { decision: 'approve', otp })
  if (done.location === null) throw new Error(`no redirect: ${done.status} ${done.html.slice(0, 200)}`)
  return await adapter.completeConsent({ institutionId, redirectUri: REDIRECT, pending: start.pending, callback: callbackOf(done.location), existing: null })
}

/** Links an Item without the browser step, through Plaid's `/sandbox/public_token/create`. */
export async function quickItem (h: Harness, institutionId: string, daysRequested = 730): Promise<Connection> {
  const pt = await h.api('/sandbox/public_token/create', { institution_id: institutionId, initial_products: ['transactions'], options: { transactions: { days_requested: daysRequested } } })
  const ex = await h.api('/item/public_token/exchange', { public_token: pt.body.public_token })
  return { provider: 'plaid', institutionId, secrets: { access_token: ex.body.access_token, item_id: ex.body.item_id } }
}

export interface SyncRun { pages: TransactionSyncPage[], upserts: NormalizedTransaction[], removed: string[], syncState: JsonValue | null }

export async function syncAll (adapter: ProviderAdapter, conn: Connection, account: Account, syncState: JsonValue | null, fromDate = '2000-01-01'): Promise<SyncRun> {
  const pages: TransactionSyncPage[] = []
  for await (const page of adapter.syncTransactions(conn, { account, fromDate, toDate: '2099-12-31', syncState, userPresent: false, psu: null })) pages.push(page)
  return { pages, upserts: pages.flatMap(p => p.upserts), removed: pages.flatMap(p => p.removed), syncState: pages.at(-1)?.syncState ?? null }
}

/** The broker's ledger, reduced: upserts replace by id, removals delete. */
export function applyRun (ledger: Map<string, NormalizedTransaction>, run: SyncRun): Map<string, NormalizedTransaction> {
  for (const page of run.pages) {
    for (const t of page.upserts) ledger.set(t.id, t)
    for (const id of page.removed) ledger.delete(id)
  }
  return ledger
}
