/** Helpers for the lock, unlock and rate-limit tests: links, signed calls with chosen utils, admin calls, the SMS outbox. */
import { randomBytes, randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { request } from 'undici'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, deleteByPrefix, REDIS_URL, type TestApp } from '../helpers/app.js'
import { unsignedCall, type OdooLink } from '../helpers/odoo-client.js'
import { freePort } from '../helpers/net.js'
import { canonicalizePythonJson } from '../../src/protocol/canonical-json.js'
import { computeSignature } from '../../src/protocol/signature.js'
import { markVerified } from '../../src/link/phone-verification.js'
import type { AdminRole } from '../../src/admin/auth.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface LockApp extends TestApp { base: string }

/** The app listening on a real port (the Twilio sandbox is reached over HTTP at PUBLIC_URL). */
export async function listeningApp (t: Teardown, env: Record<string, string> = {}): Promise<LockApp> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const h = await buildTestApp(t, { PORT: String(port), PUBLIC_URL: base, ...env })
  await h.app.listen({ port, host: '127.0.0.1' })
  return { ...h, base }
}

/** Env for several app instances sharing one key space (and keys); the caller's teardown removes it. */
export function sharedEnv (t: Teardown, extra: Record<string, string> = {}): Record<string, string> {
  const prefix = `test:${randomUUID().slice(0, 8)}:`
  t.teardown(async () => {
    const redis = new Redis(REDIS_URL)
    await deleteByPrefix(redis, prefix)
    await redis.quit()
  })
  return { REDIS_KEY_PREFIX: prefix, ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, ...extra }
}

export async function newLink (app: FastifyInstance, db: string): Promise<OdooLink> {
  const s = app.services
  await s.subscriptions.set(db, 'enterprise', '2099-12-31', 'test')
  const token = await s.exchangeTokens.mint({ dbUuid: db, link: { provider: 'plaid' } })
  const r = await unsignedCall(app, '/proxy/v1/exchange_token', { exchange_token: token }, { dbUuid: db })
  if (r.result === undefined) throw new Error(`exchange failed: ${JSON.stringify(r.error)}`)
  return { clientId: r.result.client_id, refreshToken: r.result.refresh_token, accessToken: r.result.access_token }
}

export interface CallUtils { db: string, psuIp?: string | null, now?: number, badSignature?: boolean }

/** A signed call like Odoo's, with the utils chosen by the test (PSU IP, clock). Returns the envelope. */
export async function call (app: FastifyInstance, path: string, link: OdooLink, u: CallUtils, fields: Record<string, unknown> = {}): Promise<any> {
  const utils = { request_timeout: 60, lang: 'en_US', server_version: '17.0', db_uuid: u.db, cron: u.psuIp === null, ...(u.psuIp === null ? {} : { psu_info: { ip: u.psuIp ?? '203.0.113.7', user_agent: 'Mozilla/5.0 test' } }) }
  const body = JSON.stringify({ ...fields, utils })
  const ts = String(Math.floor((u.now ?? Date.now()) / 1000))
  const message = [ts, path, link.clientId, link.accessToken, '{}', canonicalizePythonJson(body)].join('|')
  const signature = u.badSignature === true ? computeSignature(randomBytes(32).toString('base64'), message) : computeSignature(link.refreshToken, message)
  const res = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json', 'odoofin-client-id': link.clientId, 'odoofin-access-token': link.accessToken, 'odoofin-timestamp': ts, 'odoofin-signature': signature }, payload: body })
  return res.json()
}

export async function adminCall (h: TestApp, method: 'GET' | 'POST', url: string, role: AdminRole = 'ops', body?: unknown) {
  return await h.app.inject({ method, url, headers: { authorization: `Bearer ${await h.adminToken(role)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) })
}

export async function registerPhone (h: TestApp, db: string, phone: string): Promise<void> {
  await markVerified(h.app.services, db, phone, { ip: '198.51.100.1', userAgent: 'test' })
}

/** The latest code the Twilio sandbox "sent" to a phone. */
export async function lastCode (base: string, phone: string): Promise<string> {
  const res = await request(`${base}/sandbox/twilio/outbox?to=${encodeURIComponent(phone)}`)
  const entries = await res.body.json() as Array<{ code: string }>
  if (entries.length === 0) throw new Error('no SMS in the outbox')
  return (entries[entries.length - 1] as { code: string }).code
}

/** A six-digit code that is not `code`. */
export const wrongCode = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0')

export const isLockedEnvelope = (r: any): boolean => r?.error?.data?.exception_type === 'BSB_ACCOUNT_LOCKED'
