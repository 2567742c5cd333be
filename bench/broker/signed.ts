/** Requests signed exactly as Odoo's OdooFinAuth signs them (odoo-protocol.md §4), ready for the load generator. */
import { canonicalizePythonJson } from '../../src/protocol/canonical-json.js'
import { computeSignature, signatureMessage } from '../../src/protocol/signature.js'
import type { RequestShape } from '../load.js'

export interface OdooCredentials {
  dbUuid: string
  clientId: string
  refreshToken: string
  accessToken: string
}

export function odooUtils (dbUuid: string, serverVersion: string): Record<string, unknown> {
  return { request_timeout: 60, lang: 'en_US', server_version: serverVersion, db_uuid: dbUuid, cron: false, psu_info: { ip: '203.0.113.7', user_agent: 'Mozilla/5.0 bench' } }
}

/**
 * A signed POST. The timestamp is part of the signed message and accepted for SIGNATURE_WINDOW
 * (300 s) either side, so one signature per client serves a whole benchmark run.
 */
export function signedRequest (path: string, c: OdooCredentials, fields: Record<string, unknown>, serverVersion = '18.0', nowMs = Date.now()): RequestShape {
  const body = JSON.stringify({ ...fields, utils: odooUtils(c.dbUuid, serverVersion) })
  const timestamp = String(Math.floor(nowMs / 1000))
  const message = signatureMessage({ timestamp, path, clientId: c.clientId, accessToken: c.accessToken, queryJson: '{}', bodyJson: canonicalizePythonJson(body) })
  return {
    method: 'POST',
    path,
    headers: {
      'content-type': 'application/json',
      'odoofin-client-id': c.clientId,
      'odoofin-access-token': c.accessToken,
      'odoofin-timestamp': timestamp,
      'odoofin-signature': computeSignature(c.refreshToken, message)
    },
    body
  }
}
