/**
 * A test client that signs like Odoo's `OdooFinAuth` (odoo-protocol.md §4): HMAC-SHA256 keyed with
 * the base64-decoded refresh token over `ts|path|client_id|access_token|{}|python-canonical body`.
 */
import type { FastifyInstance } from 'fastify'
import { canonicalizePythonJson } from '../../src/protocol/canonical-json.js'
import { computeSignature } from '../../src/protocol/signature.js'

export interface OdooLink {
  clientId: string
  refreshToken: string
  accessToken: string
}

export interface CallOptions {
  serverVersion?: string
  cron?: boolean
  timestamp?: number
  dbUuid: string
  /** Sign with this refresh token instead of the link's (tests of the grace window). */
  signWith?: string
  tamper?: (body: string) => string
}

export function odooUtils (o: CallOptions): Record<string, unknown> {
  return { request_timeout: 60, lang: 'en_US', server_version: o.serverVersion ?? '17.0', db_uuid: o.dbUuid, cron: o.cron ?? false, ...(o.cron === true ? {} : { psu_info: { ip: '203.0.113.7', user_agent: 'Mozilla/5.0 test' } }) }
}

export async function signedCall (app: FastifyInstance, path: string, link: OdooLink, fields: Record<string, unknown>, o: CallOptions): Promise<{ body: any, headers: Record<string, unknown> }> {
  const body = JSON.stringify({ ...fields, utils: odooUtils(o) })
  const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000))
  const message = [ts, path, link.clientId, link.accessToken, '{}', canonicalizePythonJson(body)].join('|')
  const signature = computeSignature(o.signWith ?? link.refreshToken, message)
  const res = await app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', 'odoofin-client-id': link.clientId, 'odoofin-access-token': link.accessToken, 'odoofin-timestamp': ts, 'odoofin-signature': signature },
    payload: o.tamper !== undefined ? o.tamper(body) : body
  })
  return { body: res.json(), headers: res.headers }
}

export async function unsignedCall (app: FastifyInstance, path: string, fields: Record<string, unknown>, o: CallOptions): Promise<any> {
  const res = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ ...fields, utils: odooUtils(o) }) })
  return res.json()
}

/**
 * Calls like Odoo's `_fetch_odoo_fin`: on 101 it gets a new access token and retries; on 102 it
 * renews the refresh token, gets an access token and retries (odoo-protocol.md §4).
 */
export function createOdooClient (app: FastifyInstance, link: OdooLink, o: { dbUuid: string, now: () => number }) {
  const ts = (): number => Math.floor(o.now() / 1000)
  async function call (path: string, fields: Record<string, unknown>, serverVersion = '17.0', cron = false): Promise<any> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = (await signedCall(app, path, link, fields, { dbUuid: o.dbUuid, serverVersion, cron, timestamp: ts() })).body
      if (res.error?.code === 101) {
        const r = (await signedCall(app, '/proxy/v1/get_access_token', link, {}, { dbUuid: o.dbUuid, serverVersion, timestamp: ts() })).body
        link.accessToken = r.result.access_token
        continue
      }
      if (res.error?.code === 102) {
        const r = (await signedCall(app, '/proxy/v1/renew_token', link, {}, { dbUuid: o.dbUuid, serverVersion, timestamp: ts() })).body
        link.refreshToken = r.result.refresh_token
        const a = (await signedCall(app, '/proxy/v1/get_access_token', link, {}, { dbUuid: o.dbUuid, serverVersion, timestamp: ts() })).body
        link.accessToken = a.result.access_token
        continue
      }
      return res
    }
    throw new Error('token renewal loop')
  }
  return { call, link }
}
