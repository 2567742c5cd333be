/**
 * Test harness: the Yodlee sandbox in a real Fastify on 127.0.0.1, an adapter talking to it over
 * loopback, an injected clock, a request log, and a helper that clicks through FastLink.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { request } from 'undici'
import { createYodleeAdapter } from '../../../providers/yodlee/adapter.js'
import { SANDBOX_CREDENTIALS, type YodleeCredentials } from '../../../providers/yodlee/credentials.js'
import { yodleeModule } from '../../../providers/yodlee/index.js'
import type { Connection, ConsentStart, ProviderAdapter } from '../../../providers/types.js'
import { freePort } from '../../helpers/net.js'

export const T0 = Date.parse('2025-03-14T10:00:00Z')
export const REDIRECT_URI = 'https://broker.example/v1/callback/yodlee?lang=en'
export const STATE = 'state-7f3c2a'

/** Sandbox provider ids: US banks 17001…17007, GB 18001…, IN 19001…, AU 20001… in kit order. */
export const US = { ordinary: '17001', mfa: '17002', manual: '17003', daily: '17004', shallow: '17005', beta: '17006', flaky: '17007' }
export const GB = { ordinary: '18001', mfa: '18002' }

export interface Harness {
  app: FastifyInstance
  baseUrl: string
  clock: { ms: number }
  now: () => number
  adapter: ProviderAdapter
  /** `METHOD /path` of every request the sandbox received. */
  requests: string[]
  /** `METHOD /path STATUS` of every answer. */
  responses: string[]
  makeAdapter: (creds?: Partial<YodleeCredentials>, timeoutMs?: number) => ProviderAdapter
}


export async function startSandbox (t: { teardown: (fn: () => unknown) => void }, o: { slowMs?: number, timeoutMs?: number } = {}): Promise<Harness> {
  const clock = { ms: T0 }
  const now = (): number => clock.ms
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}/sandbox/yodlee`
  const app = Fastify()
  const requests: string[] = []
  const responses: string[] = []
  const route = (url: string): string => url.split('?')[0].replace('/sandbox/yodlee', '')
  app.addHook('onRequest', async req => { requests.push(`${req.method} ${route(req.url)}`) })
  app.addHook('onResponse', async (req, reply) => { responses.push(`${req.method} ${route(req.url)} ${reply.statusCode}`) })
  await app.register(yodleeModule.sandbox.plugin, { prefix: '/sandbox/yodlee', seed: 'yodlee-test-seed', baseUrl, now, slowMs: o.slowMs ?? 20 })
  await app.listen({ port, host: '127.0.0.1' })
  t.teardown(async () => { await app.close() })
  const makeAdapter = (creds: Partial<YodleeCredentials> = {}, timeoutMs = o.timeoutMs ?? 10_000): ProviderAdapter =>
    createYodleeAdapter({ baseUrl, now, timeoutMs }, { ...SANDBOX_CREDENTIALS, ...creds }, { sleep: async () => {} })
  return { app, baseUrl, clock, now, adapter: makeAdapter(), requests, responses, makeAdapter }
}

export interface FastLinkOutcome { start: ConsentStart, pageHtml: string, pageStatus: number, callback: Record<string, string> | null, finalStatus: number, finalHtml: string }

/** Opens the consent URL, submits the form with `decision` (and `otps` one after the other). */
export async function runFastLink (h: Harness, institutionId: string, decision: 'approve' | 'deny', otps: string[] = [], existing: Connection | null = null): Promise<FastLinkOutcome> {
  const start = await h.adapter.startConsent({ institutionId, redirectUri: REDIRECT_URI, state: STATE, lang: 'en', userEmail: null, psu: null, existing })
  const page = await request(start.url)
  const pageHtml = await page.body.text()
  const action = /<form method="post" action="([^"]+)"/.exec(pageHtml)?.[1]?.replace(/&amp;/g, '&')
  const session = /name="session" value="([^"]+)"/.exec(pageHtml)?.[1]
  if (action === undefined || session === undefined) return { start, pageHtml, pageStatus: page.statusCode, callback: null, finalStatus: page.statusCode, finalHtml: pageHtml }
  const tries = otps.length > 0 ? otps : ['']
  let finalStatus = 0
  let finalHtml = ''
  for (const otp of tries) {
    const res = await request(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ session, decision, ...(otp !== '' ? { otp } : {}) }).toString()
    })
    finalStatus = res.statusCode
    finalHtml = await res.body.text()
    const location = res.headers.location
    if (typeof location === 'string') {
      return { start, pageHtml, pageStatus: page.statusCode, callback: Object.fromEntries(new URL(location).searchParams), finalStatus, finalHtml }
    }
  }
  return { start, pageHtml, pageStatus: page.statusCode, callback: null, finalStatus, finalHtml }
}

/** Links a bank end to end and returns the connection. */
export async function link (h: Harness, institutionId: string, otp?: string): Promise<Connection> {
  const out = await runFastLink(h, institutionId, 'approve', otp !== undefined ? [otp] : [])
  if (out.callback === null) throw new Error(`FastLink did not redirect (HTTP ${out.finalStatus})`)
  return await h.adapter.completeConsent({ institutionId, redirectUri: REDIRECT_URI, pending: out.start.pending, callback: out.callback, existing: null })
}

export async function control (h: Harness, path: string, body: object): Promise<{ status: number, json: any }> {
  const res = await request(`${h.baseUrl}/_control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.statusCode, json: await res.body.json() }
}

export async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}
