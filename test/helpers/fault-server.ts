/**
 * A misbehaving provider on 127.0.0.1: a reverse proxy in front of the broker (whose sandboxes are
 * the providers) that answers the requests a rule matches with a chosen fault instead, and records
 * every attempt it faulted (time measured here, on the "provider" side). `startFaultyBroker` runs
 * the real broker with every provider behind it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import pino from 'pino'
import { loggerOptions } from '../../src/logger.js'
import { loadConfig } from '../../src/config.js'
import { buildApp } from '../../src/app.js'
import { REDIS_OPTIONS } from '../../src/store/redis.js'
import { mintAdminToken } from '../../src/admin/auth.js'
import { createProviderAgent, type HttpLimits } from '../../providers/http.js'
import { REDIS_URL, deleteByPrefix, testEnv, type TestApp } from './app.js'

export type Fault =
  /** A complete answer: 429s, 5xx, a 302, a 200 with a body that is not JSON. */
  | { kind: 'respond', status: number, headers?: Record<string, string> | (() => Record<string, string>), body?: string }
  /** Headers announce `declaredBytes`, `sentBytes` are sent, then the connection is closed. */
  | { kind: 'truncated', declaredBytes: number, sentBytes: number }
  /** A 200 streamed in chunks (no Content-Length) until `bytes`, or until the client hangs up. */
  | { kind: 'huge', bytes: number }
  /** No answer at all (not even headers) until the client gives up. */
  | { kind: 'silent' }
  /** Headers and the start of a body, then silence until the client gives up. */
  | { kind: 'stall' }
  /** Headers, then one byte every `everyMs` (at most `maxBytes`) until the client gives up. */
  | { kind: 'drip', everyMs: number, maxBytes: number }
  /** The connection is destroyed as soon as the request arrives. */
  | { kind: 'reset' }

export interface Attempt {
  method: string
  path: string
  headers: IncomingMessage['headers']
  /** `performance.now()` when the request arrived. */
  at: number
  /** `Date.now()` when the request arrived (to compare with an HTTP-date this server sent). */
  wall: number
  /** Headers of the fault answer, for `respond` faults. */
  answered?: Record<string, string>
}

export interface ArmedFault {
  readonly attempts: Attempt[]
  /** Body bytes the kernel accepted for this fault's answers (what the client could have read). */
  readonly bytesSent: number
  disarm: () => void
}

export type Match = (method: string, path: string) => boolean

export interface FaultServer {
  url: string
  /** Where requests no rule matches are forwarded. */
  setUpstream: (url: string) => void
  arm: (match: Match, fault: Fault) => ArmedFault
  close: () => Promise<void>
}

interface Rule { match: Match, fault: Fault, armed: { attempts: Attempt[], bytesSent: number } }

interface Teardown { teardown: (fn: () => unknown) => void }

async function listen (server: Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function closeServer (server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>(resolve => server.close(() => resolve()))
}

export async function startFaultServer (t: Teardown): Promise<FaultServer> {
  let upstream: string | null = null
  const rules: Rule[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    const rule = rules.find(r => r.match(method, path))
    if (rule === undefined) { forward(upstream, req, res); return }
    const attempt: Attempt = { method, path, headers: req.headers, at: performance.now(), wall: Date.now() }
    rule.armed.attempts.push(attempt)
    req.resume()
    serveFault(rule, attempt, req, res, timers)
  })
  const url = await listen(server)
  let closing: Promise<void> | null = null
  const close = async (): Promise<void> => {
    for (const timer of timers) clearInterval(timer)
    closing ??= closeServer(server)
    await closing
  }
  t.teardown(close)
  return {
    url,
    setUpstream: (u: string) => { upstream = u },
    arm (match: Match, fault: Fault): ArmedFault {
      const rule: Rule = { match, fault, armed: { attempts: [], bytesSent: 0 } }
      rules.push(rule)
      return {
        get attempts () { return rule.armed.attempts },
        get bytesSent () { return rule.armed.bytesSent },
        disarm: () => { const i = rules.indexOf(rule); if (i >= 0) rules.splice(i, 1) }
      }
    },
    close
  }
}

function forward (upstream: string | null, req: IncomingMessage, res: ServerResponse): void {
  if (upstream === null) { res.writeHead(502).end('no upstream yet'); return }
  const target = new URL(req.url ?? '/', upstream)
  const out = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, answer => {
    res.writeHead(answer.statusCode ?? 502, answer.headers)
    answer.on('error', () => res.destroy())
    answer.pipe(res)
  })
  out.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end() })
  // The client hanging up (a broker timeout) must not leave the upstream request open.
  res.on('close', () => { if (!res.writableFinished) out.destroy() })
  req.pipe(out)
}

function serveFault (rule: Rule, attempt: Attempt, req: IncomingMessage, res: ServerResponse, timers: Set<NodeJS.Timeout>): void {
  const fault = rule.fault
  const count = (n: number) => (err?: Error | null) => { if (err == null) rule.armed.bytesSent += n }
  switch (fault.kind) {
    case 'respond': {
      const headers = typeof fault.headers === 'function' ? fault.headers() : (fault.headers ?? {})
      attempt.answered = headers
      const body = fault.body ?? ''
      res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers })
      res.end(body, count(Buffer.byteLength(body)))
      return
    }
    case 'truncated': {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(fault.declaredBytes) })
      res.write(Buffer.alloc(fault.sentBytes, 0x20), () => { rule.armed.bytesSent += fault.sentBytes; res.destroy() })
      return
    }
    case 'huge': { streamHuge(fault.bytes, res, count); return }
    case 'silent': return
    case 'stall': {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"data": [', count(10))
      return
    }
    case 'drip': {
      res.writeHead(200, { 'content-type': 'application/json' })
      let sent = 0
      const timer = setInterval(() => {
        if (sent >= fault.maxBytes || res.destroyed) { clearInterval(timer); timers.delete(timer); res.end(); return }
        sent++
        res.write(' ', count(1))
      }, fault.everyMs)
      timers.add(timer)
      res.on('close', () => { clearInterval(timer); timers.delete(timer) })
      return
    }
    case 'reset': req.socket.destroy()
  }
}

/** Writes `total` bytes of plausible JSON with back-pressure, so the server itself never buffers much. */
function streamHuge (total: number, res: ServerResponse, count: (n: number) => (err?: Error | null) => void): void {
  const chunk = Buffer.from('{"id":"tx-000000","amount":"-1.00","description":"x"},'.repeat(1200))
  res.writeHead(200, { 'content-type': 'application/json' })
  let written = 0
  let closed = false
  res.on('close', () => { closed = true })
  const pump = (): void => {
    while (!closed && written < total) {
      written += chunk.length
      if (!res.write(chunk, count(chunk.length))) { res.once('drain', pump); return }
    }
    if (!closed) res.end()
  }
  res.write('{"transactions":[', count(17))
  pump()
}

/** A server that only counts what reaches it: the "internal address" a redirect points to. */
export async function startCountingServer (t: Teardown): Promise<{ url: string, hits: () => number }> {
  let hits = 0
  const server = createServer((_req, res) => { hits++; res.end('{"secret":"metadata"}') })
  const url = await listen(server)
  t.teardown(async () => await closeServer(server))
  return { url, hits: () => hits }
}

/**
 * The real broker with every provider behind a fault server: PUBLIC_URL is the fault server, so
 * each adapter's sandbox base URL (`<PUBLIC_URL>/sandbox/<id>`) points at it, and it forwards what
 * no rule matches to the broker. The adapters' agent takes the given `limits` (e.g. small
 * timeouts, so a stall costs a second); the ones not given are production's.
 */
export interface FaultyBroker extends TestApp {
  faults: FaultServer
}

export async function startFaultyBroker (t: Teardown, limits: Partial<HttpLimits>): Promise<FaultyBroker> {
  const faults = await startFaultServer(t)
  const prefix = `test:${randomUUID().slice(0, 8)}:`
  const config = loadConfig(testEnv(prefix, { PUBLIC_URL: faults.url }))
  const redis = new Redis(REDIS_URL)
  // Provider faults are under test here, not Redis: a loaded CI machine must not turn a slow
  // Redis reply into a fail-closed refusal, so the broker's client waits longer than production's.
  const brokerRedis = new Redis(REDIS_URL, { ...REDIS_OPTIONS, commandTimeout: 5_000 })
  const logs: string[] = []
  const logger = pino(loggerOptions('info'), new Writable({ write (chunk, _enc, cb) { logs.push(String(chunk)); cb() } }))
  const clock = { offset: 0, now: () => Date.now() + clock.offset }
  // Test cases share this agent, so it gets a retry budget large enough not to decide their outcome.
  const agent = createProviderAgent({ ...limits, retryBudgetTokens: 10_000 })
  const app = await buildApp(config, { logger, now: clock.now, dispatcher: agent, redis: brokerRedis })
  await app.listen({ port: 0, host: '127.0.0.1' })
  faults.setUpstream(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
  t.teardown(async () => {
    await faults.close()
    await app.close()
    await agent.close()
    await brokerRedis.quit()
    await deleteByPrefix(redis, prefix)
    await redis.quit()
  })
  return { app, config, redis, prefix, logs, clock, faults, adminToken: async (role = 'ops') => await mintAdminToken(config.admin, role, 'tester') }
}
