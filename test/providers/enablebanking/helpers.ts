/**
 * Test helpers: a real Fastify on 127.0.0.1:0 serving the Enable Banking sandbox, an adapter
 * pointed at it over loopback, an injectable clock, and a "user" that clicks through the consent page.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { request } from 'undici'
import { enablebankingModule } from '../../../providers/enablebanking/index.js'
import type { Account, Connection, ProviderAdapter, PsuInfo, TransactionSyncRequest, NormalizedTransaction } from '../../../providers/types.js'
import { freePort } from '../../helpers/net.js'

export const PREFIX = '/sandbox/enablebanking'
/** Sandbox seed; with START it gives pending card payments on the ordinary FI/BE/SE accounts. */
export const SEED = 'test-seed-1'
export const START = Date.parse('2025-06-16T10:00:00Z')
export const DAY = 86_400_000
export const PSU: PsuInfo = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' }

export interface Harness {
  app: FastifyInstance
  baseUrl: string
  adapter: ProviderAdapter
  clock: { now: () => number, set: (ms: number) => void, advance: (ms: number) => void }
  /** Requests the sandbox saw, by method and path without query. */
  hits: Array<{ method: string, path: string }>
  close: () => Promise<void>
}

export async function startHarness (opts: { seed?: string, slowMs?: number, timeoutMs?: number } = {}): Promise<Harness> {
  let t = START
  const clock = { now: () => t, set: (ms: number) => { t = ms }, advance: (ms: number) => { t += ms } }
  const app = Fastify({ logger: false })
  const hits: Harness['hits'] = []
  app.addHook('onRequest', async req => { hits.push({ method: req.method, path: req.url.split('?')[0] as string }) })
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}${PREFIX}`
  await app.register(enablebankingModule.sandbox.plugin, { prefix: PREFIX, seed: opts.seed ?? SEED, baseUrl, now: clock.now, slowMs: opts.slowMs ?? 50 })
  await app.listen({ host: '127.0.0.1', port })
  const adapter = enablebankingModule.createAdapter({ baseUrl, now: clock.now, timeoutMs: opts.timeoutMs ?? 10_000 }, enablebankingModule.sandbox.credentials(baseUrl))
  return { app, baseUrl, adapter, clock, hits, close: async () => { await app.close() } }
}


export const REDIRECT = 'https://broker.example/callback/enablebanking'

/** Loads the consent page and submits the form; returns the page HTML and the redirect query. */
export async function clickConsent (url: string, decision: 'approve' | 'deny', otp?: string): Promise<{ html: string, status: number, location: string | null, query: Record<string, string> }> {
  const pageRes = await request(url)
  const html = await pageRes.body.text()
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]
  const hidden = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m): [string, string] => [m[1] as string, m[2] as string])
  if (action === undefined) return { html, status: pageRes.statusCode, location: null, query: {} }
  const fields: Array<[string, string]> = [...hidden, ['decision', decision]]
  if (otp !== undefined) fields.push(['otp', otp])
  const form = new URLSearchParams(fields)
  const res = await request(action.replace(/&amp;/g, '&'), { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  const body = await res.body.text()
  const location = typeof res.headers.location === 'string' ? res.headers.location : null
  const query = location === null ? {} : Object.fromEntries(new URL(location).searchParams)
  return { html: res.statusCode === 302 ? html : body, status: res.statusCode, location, query }
}

export function institution (behaviour: string, country = 'FI'): string {
  const names: Record<string, string> = {
    ordinary: 'Sandbox Ordinary Bank', mfa: 'Sandbox MFA Bank', manual: 'Sandbox Manual Sync Bank', daily: 'Sandbox Daily Refresh Bank',
    shallow: 'Sandbox Three Months Bank', beta: 'Sandbox Beta Bank', flaky: 'Sandbox Flaky Bank'
  }
  return `${names[behaviour] as string}|${country}`
}

/** Full consent: start, approve on the page, complete. */
export async function link (h: Harness, institutionId: string, opts: { otp?: string, existing?: Connection | null, state?: string } = {}): Promise<Connection> {
  const state = opts.state ?? `state-${Math.random().toString(36).slice(2)}`
  const start = await h.adapter.startConsent({ institutionId, redirectUri: REDIRECT, state, lang: 'en', userEmail: null, psu: PSU, existing: opts.existing ?? null })
  const click = await clickConsent(start.url, 'approve', opts.otp)
  if (click.status !== 302) throw new Error(`consent page answered ${click.status}`)
  return await h.adapter.completeConsent({ institutionId, redirectUri: REDIRECT, pending: start.pending, callback: click.query, existing: opts.existing ?? null })
}

export async function syncAll (adapter: ProviderAdapter, conn: Connection, account: Account, req: Partial<TransactionSyncRequest> & { fromDate: string, toDate: string }): Promise<{ pages: number, txs: NormalizedTransaction[] }> {
  const txs: NormalizedTransaction[] = []
  let pages = 0
  for await (const page of adapter.syncTransactions(conn, { account, syncState: null, userPresent: false, psu: null, ...req })) {
    pages++
    if (!page.pendingIsSnapshot) throw new Error('expected pendingIsSnapshot')
    txs.push(...page.upserts)
  }
  return { pages, txs }
}

export async function catchError (p: Promise<unknown>): Promise<any> {
  try { await p } catch (err) { return err }
  throw new Error('expected a rejection')
}

export function isoDay (ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}
