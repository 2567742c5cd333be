/**
 * The demo's Odoo double, server side: it calls the broker's /proxy endpoints exactly as Odoo's
 * `_fetch_odoo_fin` does (JSON body plus `utils`, OdooFinAuth headers over the Python-canonical
 * body) and renews tokens on 101/102 like Odoo. Calls go through `inject`, so the demo needs no
 * route back to its own public URL. Credentials stay in Redis (sealed), never in the browser.
 */
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { canonicalizePythonJson } from '../../protocol/canonical-json.js'
import { computeSignature } from '../../protocol/signature.js'

export interface DemoCredentials { clientId: string, refreshToken: string, accessToken: string }

const TTL_SECONDS = 7 * 86_400
type Envelope = { result?: any, error?: { code: number, message: string, data?: Record<string, unknown> } }

export function odooUtils (dbUuid: string): Record<string, unknown> {
  return { request_timeout: 60, lang: 'en_US', server_version: '17.0', db_uuid: dbUuid, cron: false, psu_info: { ip: '127.0.0.1', user_agent: 'banksync-demo' } }
}

export function createDemoOdoo (app: FastifyInstance, s: Services) {
  const key = (dbUuid: string): string => s.keys.demoClients(dbUuid)
  const aad = (dbUuid: string, clientId: string): string => `demo:${dbUuid}:${clientId}`

  async function post (path: string, fields: Record<string, unknown>, dbUuid: string, creds: DemoCredentials | null): Promise<Envelope> {
    const body = JSON.stringify({ ...fields, utils: odooUtils(dbUuid) })
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (creds !== null) {
      const ts = String(Math.floor(s.now() / 1000))
      const message = [ts, path, creds.clientId, creds.accessToken, '{}', canonicalizePythonJson(body)].join('|')
      Object.assign(headers, { 'odoofin-client-id': creds.clientId, 'odoofin-access-token': creds.accessToken, 'odoofin-timestamp': ts, 'odoofin-signature': computeSignature(creds.refreshToken, message) })
    }
    const res = await app.inject({ method: 'POST', url: path, headers, payload: body })
    return res.json() as Envelope
  }

  async function save (dbUuid: string, creds: DemoCredentials): Promise<void> {
    await s.redis.multi().hset(key(dbUuid), creds.clientId, s.box.sealJson(creds, aad(dbUuid, creds.clientId))).expire(key(dbUuid), TTL_SECONDS).exec()
  }

  async function clients (dbUuid: string): Promise<DemoCredentials[]> {
    const all = await s.redis.hgetall(key(dbUuid))
    return Object.entries(all).map(([id, sealed]) => s.box.openJson<DemoCredentials>(sealed, aad(dbUuid, id)))
  }

  /** A signed call with Odoo's token dance: 101 → get_access_token, 102 → renew_token first; then retry once. */
  async function signed (path: string, fields: Record<string, unknown>, dbUuid: string, creds: DemoCredentials): Promise<Envelope> {
    let res = await post(path, fields, dbUuid, creds)
    const code = res.error?.code
    if (code !== 101 && code !== 102) return res
    if (code === 102) {
      const renewed = await post('/proxy/v1/renew_token', {}, dbUuid, creds)
      if (renewed.result?.refresh_token === undefined) return renewed
      creds.refreshToken = renewed.result.refresh_token
    }
    const fresh = await post('/proxy/v1/get_access_token', {}, dbUuid, creds)
    if (fresh.result?.access_token === undefined) return fresh
    creds.accessToken = fresh.result.access_token
    await save(dbUuid, creds)
    res = await post(path, fields, dbUuid, creds)
    return res
  }

  async function exchange (dbUuid: string, exchangeToken: string): Promise<Envelope> {
    const res = await post('/proxy/v1/exchange_token', { exchange_token: exchangeToken, company_id: 1, user_id: 2 }, dbUuid, null)
    const r = res.result
    if (r !== undefined && typeof r.client_id === 'string') {
      await save(dbUuid, { clientId: r.client_id, refreshToken: r.refresh_token, accessToken: r.access_token })
      return { result: { client_id: r.client_id } }
    }
    return res
  }

  return { exchange, clients, signed }
}

export type DemoOdoo = ReturnType<typeof createDemoOdoo>
