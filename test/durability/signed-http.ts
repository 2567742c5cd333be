/** A signed Odoo request (headers + body) for a real HTTP client, signed as `odoo-client.ts` signs for inject. */
import { canonicalizePythonJson } from '../../src/protocol/canonical-json.js'
import { computeSignature } from '../../src/protocol/signature.js'
import { odooUtils, type OdooLink } from '../helpers/odoo-client.js'

export function signedRequest (path: string, link: OdooLink, fields: Record<string, unknown>, dbUuid: string): { headers: Record<string, string>, body: string } {
  const body = JSON.stringify({ ...fields, utils: odooUtils({ dbUuid }) })
  const ts = String(Math.floor(Date.now() / 1000))
  const message = [ts, path, link.clientId, link.accessToken, '{}', canonicalizePythonJson(body)].join('|')
  return {
    headers: {
      'content-type': 'application/json',
      'odoofin-client-id': link.clientId,
      'odoofin-access-token': link.accessToken,
      'odoofin-timestamp': ts,
      'odoofin-signature': computeSignature(link.refreshToken, message)
    },
    body
  }
}
