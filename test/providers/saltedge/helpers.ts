/**
 * Test helpers for the Salt Edge provider: a real Fastify sandbox on 127.0.0.1, an injected
 * clock shared by sandbox and adapter, a callback receiver, and the consent flow driven over HTTP.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { request } from 'undici'
import type { ConsentStart, Connection, ProviderAdapter, ProviderDeps } from '../../../providers/types.js'
import { saltedgeModule } from '../../../providers/saltedge/index.js'
import type { SaltEdgeCredentials } from '../../../providers/saltedge/credentials.js'
import { freePort } from '../../helpers/net.js'

export const PREFIX = '/sandbox/saltedge'
export const REDIRECT_URI = 'https://broker.example.test/consent/callback'
export const T0 = Date.parse('2025-03-12T09:00:00Z')

export interface Clock { t: number, now: () => number, advance: (ms: number) => void }

export function clock (start = T0): Clock {
  const c: Clock = { t: start, now: () => c.t, advance: (ms: number) => { c.t += ms } }
  return c
}


export interface Received { headers: Record<string, string | string[] | undefined>, raw: string }

/** A stand-in for the broker's webhook route: records every callback with its raw body. */
export async function startReceiver (): Promise<{ url: string, received: Received[], close: () => Promise<void> }> {
  const app = Fastify()
  const received: Received[] = []
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body))
  app.post('/hooks/saltedge', async (req) => {
    received.push({ headers: req.headers, raw: String(req.body) })
    return { ok: true }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/hooks/saltedge`
  return { url, received, close: async () => { await app.close() } }
}

export interface Sandbox {
  app: FastifyInstance
  base: string
  clock: Clock
  /** Requests seen by the sandbox, as `METHOD path` (without query). */
  hits: string[]
  close: () => Promise<void>
}

export async function startSandbox (opts: { clock?: Clock, slowMs?: number, webhookUrl?: string, seed?: string } = {}): Promise<Sandbox> {
  const c = opts.clock ?? clock()
  const port = await freePort()
  const base = `http://127.0.0.1:${port}${PREFIX}`
  const app = Fastify()
  const hits: string[] = []
  app.addHook('onRequest', async (req) => { hits.push(`${req.method} ${req.url.split('?')[0] ?? ''}`) })
  await app.register(saltedgeModule.sandbox.plugin, { prefix: PREFIX, seed: opts.seed ?? 'test-seed', baseUrl: base, now: c.now, slowMs: opts.slowMs ?? 50, webhookUrl: opts.webhookUrl })
  await app.listen({ port, host: '127.0.0.1' })
  return { app, base, clock: c, hits, close: async () => { await app.close() } }
}

export function credentials (base = 'http://127.0.0.1/sandbox/saltedge'): SaltEdgeCredentials {
  return saltedgeModule.sandbox.credentials(base)
}

export function adapterFor (sb: Sandbox, over: Partial<ProviderDeps> = {}, creds: SaltEdgeCredentials = credentials(sb.base)): ProviderAdapter {
  return saltedgeModule.createAdapter({ baseUrl: sb.base, now: sb.clock.now, ...over }, creds)
}

export async function startConsent (adapter: ProviderAdapter, institutionId: string, existing: Connection | null = null, state = 'state-abc-123'): Promise<ConsentStart> {
  return await adapter.startConsent({ institutionId, redirectUri: REDIRECT_URI, state, lang: 'en', userEmail: null, psu: null, existing })
}

export async function getPage (url: string): Promise<{ status: number, html: string }> {
  const res = await request(url)
  return { status: res.statusCode, html: await res.body.text() }
}

/** Submits the consent page form like a browser; returns the status and the redirect target. */
export async function submitConsent (pageUrl: string, html: string, fields: Record<string, string>): Promise<{ status: number, location: string | null, html: string }> {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]
  if (action === undefined) throw new Error('consent page without a form')
  const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(m => [m[1], m[2]]))
  const res = await request(new URL(action, pageUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, ...fields }).toString()
  })
  const location = res.headers.location
  return { status: res.statusCode, location: typeof location === 'string' ? location : null, html: await res.body.text() }
}

export function queryOf (location: string): Record<string, string> {
  return Object.fromEntries(new URL(location).searchParams.entries())
}

/** Consent start → page → Approve (with the code when asked) → completeConsent. */
export async function connect (adapter: ProviderAdapter, institutionId: string, opts: { otp?: string, existing?: Connection | null } = {}): Promise<Connection> {
  const start = await startConsent(adapter, institutionId, opts.existing ?? null)
  const page = await getPage(start.url)
  const fields: Record<string, string> = { decision: 'approve' }
  if (opts.otp !== undefined) fields.otp = opts.otp
  const done = await submitConsent(start.url, page.html, fields)
  if (done.location === null) throw new Error(`consent did not redirect (${done.status})`)
  return await adapter.completeConsent({ institutionId, redirectUri: REDIRECT_URI, pending: start.pending, callback: queryOf(done.location), existing: opts.existing ?? null })
}

/** Collects every page of a sync run. */
export async function syncAll (adapter: ProviderAdapter, conn: Connection, account: Parameters<ProviderAdapter['syncTransactions']>[1]['account'], fromDate: string, toDate: string) {
  const pages = []
  for await (const p of adapter.syncTransactions(conn, { account, fromDate, toDate, syncState: null, userPresent: false, psu: null })) pages.push(p)
  return { pages, txs: pages.flatMap(p => p.upserts) }
}

export async function control (sb: Sandbox, path: string, body: object): Promise<{ status: number, json: any }> {
  const res = await request(`${sb.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.statusCode, json: await res.body.json() }
}

export const DAY = 86_400_000
export const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** The rejection of `p` (fails when `p` resolves), to match its fields. */
export async function rejection (p: Promise<unknown>): Promise<any> {
  try { await p } catch (err) { return err }
  throw new Error('expected a rejection')
}
