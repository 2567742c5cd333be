/**
 * Replay and transplanted signatures: a captured signed request replayed once the app clock has
 * moved past the ±SIGNATURE_WINDOW (300 s) is refused, while inside the window it still passes
 * (the protocol has no nonce); a signature made for one path, body, query string, timestamp or
 * token is refused on any other; an exchange token works once.
 */
import t from 'tap'
import type { InjectOptions } from 'fastify'
import { buildAttackApp } from './support/app.js'
import { newLink } from '../locks/helpers.js'
import { odooUtils, unsignedCall } from '../helpers/odoo-client.js'
import { canonicalizePythonJson } from '../../src/protocol/canonical-json.js'
import { computeSignature } from '../../src/protocol/signature.js'

t.test('replayed and transplanted signatures are refused', async t => {
  const h = await buildAttackApp(t)
  const db = 'db-replay-0001'
  const link = await newLink(h.app, db)
  const capture = (path: string, fields: Record<string, unknown>, ts = Math.floor(h.clock.now() / 1000)): InjectOptions & { headers: Record<string, string>, payload: string } => {
    const payload = JSON.stringify({ ...fields, utils: odooUtils({ dbUuid: db }) })
    const signature = computeSignature(link.refreshToken, [String(ts), path, link.clientId, link.accessToken, '{}', canonicalizePythonJson(payload)].join('|'))
    return { method: 'POST', url: path, payload, headers: { 'content-type': 'application/json', 'odoofin-client-id': link.clientId, 'odoofin-access-token': link.accessToken, 'odoofin-timestamp': String(ts), 'odoofin-signature': signature } }
  }
  const codeOf = async (req: InjectOptions): Promise<number | 'ok'> => {
    const body = (await h.app.inject(req)).json()
    return body.result !== undefined ? 'ok' : body.error.code
  }

  const captured = capture('/proxy/v1/get_access_token', {})
  t.equal(await codeOf(captured), 'ok', 'the original request passes')
  h.clock.offset = 299_000
  t.equal(await codeOf(captured), 'ok', 'replayed 299 s later: still inside the window (no nonce in the protocol)')
  h.clock.offset = 301_000
  t.equal(await codeOf(captured), 100, 'replayed 301 s later: refused (invalid signature)')
  h.clock.offset = -302_000
  t.equal(await codeOf(captured), 100, 'replayed with a clock 302 s behind: refused (timestamps have 1 s resolution)')
  h.clock.offset = 0
  const stale = capture('/proxy/v1/get_access_token', {}, Math.floor(h.clock.now() / 1000) - 301)
  t.equal(await codeOf(stale), 100, 'a fresh signature over a timestamp 301 s old: refused')
  const future = capture('/proxy/v1/get_access_token', {}, Math.floor(h.clock.now() / 1000) + 301)
  t.equal(await codeOf(future), 100, 'over a timestamp 301 s ahead: refused')

  const base = capture('/proxy/v1/get_access_token', { company_id: 'x' })
  const moved: Record<string, InjectOptions> = {
    'to another path': { ...base, url: '/proxy/v1/renew_token' },
    'to the same path with a query string': { ...base, url: '/proxy/v1/get_access_token?a=1' },
    'with another body': { ...base, payload: base.payload.replace('"x"', '"y"') },
    'with a field added': { ...base, payload: base.payload.replace('{', '{"user_id":2,') },
    'with another timestamp header': { ...base, headers: { ...base.headers, 'odoofin-timestamp': String(Number(base.headers['odoofin-timestamp']) + 1) } },
    'with another access token header': { ...base, headers: { ...base.headers, 'odoofin-access-token': `${link.accessToken}x` } }
  }
  for (const [name, req] of Object.entries(moved)) t.equal(await codeOf(req), 100, `a signature moved ${name}: refused`)
  t.equal(await codeOf(base), 'ok', 'the untouched request still passes (fewer bad signatures than the lock threshold)')

  await h.app.services.subscriptions.set('db-replay-0002', 'enterprise', '2099-12-31', 'test')
  const token = await h.app.services.exchangeTokens.mint({ dbUuid: 'db-replay-0002', link: { provider: 'plaid' } })
  const first = await unsignedCall(h.app, '/proxy/v1/exchange_token', { exchange_token: token }, { dbUuid: 'db-replay-0002' })
  const again = await unsignedCall(h.app, '/proxy/v1/exchange_token', { exchange_token: token }, { dbUuid: 'db-replay-0002' })
  t.match(first.result, { client_id: /^cl_/ }, 'an exchange token works once')
  t.equal(again.error?.data?.exception_type, 'BSB_EXCHANGE_TOKEN_INVALID', 'and is refused when replayed')
})
