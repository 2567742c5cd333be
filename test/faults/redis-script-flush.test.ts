/**
 * D8 (reliability.md §4 S8): Redis forgets its Lua scripts (SCRIPT FLUSH, a restart, a failover).
 * Every script-backed check of the broker must still work on the next request: ioredis's
 * `defineCommand` answers NOSCRIPT by sending the script again. Each probe below runs right after
 * a flush, on a private Redis (flushing the shared one would disturb other suites).
 */
import t from 'tap'
import { patiently, startBroker } from '../durability/broker.js'
import { sandboxLinkData } from '../durability/sandbox-link.js'
import { registerClient } from '../durability/register.js'
import { signedCall, unsignedCall } from '../helpers/odoo-client.js'

const DB = 'db-script-flush-0001'

t.test('D8: after SCRIPT FLUSH the gate, token, link and lock paths all still pass', async t => {
  const b = await startBroker(t, ['--appendonly', 'yes', '--appendfsync', 'everysec'])
  const s = b.h.app.services
  const link = await patiently(async () => await sandboxLinkData(b.h))
  await patiently(async () => await s.subscriptions.set(DB, 'enterprise', '2099-12-31', 'test'))
  const c = await registerClient(b, DB, link)
  const admin = await b.h.adminToken('ops')
  const cachedScripts = async (): Promise<number> => Number(/number_of_cached_scripts:(\d+)/.exec(await b.direct.info('memory'))?.[1] ?? NaN)
  const outcome = (body: { result?: unknown, error?: { data?: { exception_type?: string } } }): string => body.result !== undefined ? 'ok' : String(body.error?.data?.exception_type)

  const probes: Array<[string, () => Promise<string>, string]> = [
    ['signed data call (gate)', async () => outcome((await signedCall(b.h.app, '/proxy/v1/authorize_access', c, { linked_accounts: [] }, { dbUuid: DB })).body), 'ok'],
    ['get_access_token', async () => {
      const body = (await signedCall(b.h.app, '/proxy/v1/get_access_token', c, {}, { dbUuid: DB })).body
      if (body.result !== undefined) c.accessToken = body.result.access_token
      return outcome(body)
    }, 'ok'],
    ['renew_token', async () => {
      const body = (await signedCall(b.h.app, '/proxy/v1/renew_token', c, {}, { dbUuid: DB })).body
      if (body.result !== undefined) c.refreshToken = body.result.refresh_token
      return outcome(body)
    }, 'ok'],
    ['signed data call with the rotated tokens', async () => outcome((await signedCall(b.h.app, '/proxy/v1/authorize_access', c, { linked_accounts: [] }, { dbUuid: DB })).body), 'ok'],
    ['exchange_token (new client)', async () => {
      const token = await s.exchangeTokens.mint({ dbUuid: DB, link })
      return outcome(await unsignedCall(b.h.app, '/proxy/v1/exchange_token', { exchange_token: token }, { dbUuid: DB }))
    }, 'ok'],
    ['admin lock', async () => {
      const res = await b.h.app.inject({ method: 'POST', url: `/admin/clients/${c.clientId}/lock`, headers: { authorization: `Bearer ${admin}` }, payload: { reason: 'script flush test' } })
      return res.statusCode === 200 && res.json().locked === true ? 'ok' : `${res.statusCode} ${String(res.json().code)}`
    }, 'ok'],
    ['the locked client is refused as locked', async () => outcome((await signedCall(b.h.app, '/proxy/v1/authorize_access', c, { linked_accounts: [] }, { dbUuid: DB })).body), 'BSB_ACCOUNT_LOCKED']
  ]

  t.ok(await cachedScripts() > 0, 'the broker runs Lua scripts')
  for (const [name, probe, expected] of probes) {
    await b.direct.script('FLUSH')
    t.equal(await cachedScripts(), 0, `flushed before: ${name}`)
    t.equal(await probe(), expected, `${name} after SCRIPT FLUSH`)
  }
  t.ok(await cachedScripts() > 0, 'the scripts were sent again after NOSCRIPT')
})
