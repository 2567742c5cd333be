/**
 * Test helpers for the Ponto provider: a real Fastify sandbox on 127.0.0.1, an adapter wired to it
 * with an injected clock and a recording sleep, and the browser side of the consent page.
 */
import Fastify from 'fastify'
import { request } from 'undici'
import { createPontoAdapter } from '../../../providers/ponto/adapter.js'
import { pontoModule } from '../../../providers/ponto/index.js'
import type { PontoCredentials } from '../../../providers/ponto/credentials.js'
import { SANDBOX_BANKS } from '../../../providers/sandbox-kit/banks.js'
import type { Connection, Institution, ProviderAdapter } from '../../../providers/types.js'
import { freePort } from '../../helpers/net.js'

export const START = Date.parse('2025-03-14T10:00:00.000Z')
export const REDIRECT_URI = 'https://broker.test/callback/ponto'
export const SEED = 'ponto-test-seed'

export interface Clock { now: () => number, advance: (ms: number) => void }

export function createClock (start = START): Clock {
  let t = start
  return { now: () => t, advance: (ms: number) => { t += ms } }
}


interface Teardown { teardown: (fn: () => unknown) => void }

export async function startSandbox (t: Teardown, opts: { clock?: Clock, slowMs?: number, webhookUrl?: string } = {}): Promise<{ baseUrl: string, clock: Clock }> {
  const clock = opts.clock ?? createClock()
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}/sandbox/ponto`
  const app = Fastify()
  await app.register(pontoModule.sandbox.plugin, { prefix: '/sandbox/ponto', seed: SEED, baseUrl, now: clock.now, slowMs: opts.slowMs ?? 20, webhookUrl: opts.webhookUrl })
  await app.listen({ port, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { baseUrl, clock }
}

export interface Harness {
  adapter: ProviderAdapter
  sleeps: number[]
}

/** An adapter on the sandbox; its sleeps are recorded and, by default, move the injected clock. */
export function adapterFor (baseUrl: string, clock: Clock, opts: { creds?: Partial<PontoCredentials>, advanceOnSleep?: boolean, timeoutMs?: number } = {}): Harness {
  const sleeps: number[] = []
  const adapter = createPontoAdapter(
    { baseUrl, now: clock.now, timeoutMs: opts.timeoutMs ?? 10_000 },
    { ...pontoModule.sandbox.credentials(baseUrl), ...opts.creds },
    { pollDelayMs: 2_500, sleep: async (ms) => { sleeps.push(ms); if (opts.advanceOnSleep !== false) clock.advance(ms) } }
  )
  return { adapter, sleeps }
}

export function bankName (behaviour: string): string {
  return (SANDBOX_BANKS.find(b => b.behaviour === behaviour) as { name: string }).name
}

export async function institutionOf (adapter: ProviderAdapter, behaviour: string, country = 'BE'): Promise<Institution> {
  const list = await adapter.listInstitutions(country)
  const found = list.find(i => i.name === bankName(behaviour))
  if (found === undefined) throw new Error(`no ${behaviour} bank in ${country}`)
  return found
}

const decode = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

export interface ConsentPage { html: string, action: string, hidden: Record<string, string>, status: number }

export async function openPage (url: string): Promise<ConsentPage> {
  const res = await request(url)
  const html = await res.body.text()
  const action = decode(/<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '')
  const hidden: Record<string, string> = {}
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[decode(m[1] as string)] = decode(m[2] as string)
  return { html, action, hidden, status: res.statusCode }
}

/** Submits the consent form; returns the redirect target's query, or the re-rendered page. */
export async function submit (page: ConsentPage, fields: Record<string, string>): Promise<{ status: number, location: string | null, query: Record<string, string>, html: string }> {
  const res = await request(page.action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...page.hidden, ...fields }).toString() })
  const html = await res.body.text()
  const location = typeof res.headers.location === 'string' ? res.headers.location : null
  return { status: res.statusCode, location, query: location === null ? {} : Object.fromEntries(new URL(location).searchParams), html }
}

/** The whole consent: start → page → Approve (with the code for the MFA bank) → completeConsent. */
export async function connect (adapter: ProviderAdapter, behaviour: string, country = 'BE'): Promise<{ connection: Connection, institution: Institution }> {
  const institution = await institutionOf(adapter, behaviour, country)
  const start = await adapter.startConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, state: 'state-123', lang: 'en', userEmail: 'owner@example.com', psu: null, existing: null })
  const page = await openPage(start.url)
  const done = await submit(page, { decision: 'approve', ...(institution.mfa ? { otp: '123456' } : {}) })
  if (done.location === null) throw new Error(`consent did not redirect (${done.status})`)
  const connection = await adapter.completeConsent({ institutionId: institution.id, redirectUri: REDIRECT_URI, pending: start.pending, callback: done.query, existing: null })
  return { connection, institution }
}

export async function collect<T> (iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}
