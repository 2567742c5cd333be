/**
 * Secret canaries: a whole flow (phone verification through the link pages, link at a sandbox
 * bank, exchange, accounts and transactions, token renewal, ops lock, unlock code by SMS, unlock)
 * with known secrets, then a search for each of them in every log line (production logger
 * options, debug level) and in every key and value under the test's Redis prefix (strings,
 * hashes, lists, sets, zsets, streams). Phone numbers may only appear masked.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildAttackApp } from './support/app.js'
import { dumpPrefix } from './support/redis-dump.js'
import { dataBlock, exchange, lastCode, linkBank, provision } from '../link/helpers.js'
import { createOdooClient } from '../helpers/odoo-client.js'
import { readLink } from '../../src/link/store.js'

const PHONE = '+32470000001'

/** Strings under secret-looking keys of the provider connection (its tokens, consent and session ids). */
function providerSecrets (value: unknown, key = '', out: string[] = []): string[] {
  if (typeof value === 'string' && value.length >= 12 && /token|secret|session|consent|code|key|password/i.test(key)) out.push(value)
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) providerSecrets(v, k, out)
  return out
}

const digits = (code: string): RegExp => new RegExp(`(?<![0-9])${code}(?![0-9])`)

t.test('no secret of a full flow appears in the logs or in clear in Redis', async t => {
  const h = await buildAttackApp(t, {}, { logLevel: 'debug', listen: true })
  const la = h
  const db = randomUUID()
  await provision(la, db)
  const done = await linkBank(la, db, { phone: PHONE })
  const phoneCode = await lastCode(la, PHONE)
  const exchangeToken = dataBlock(done).events?.find(e => e.event === 'exchange_token')?.data as string
  const sessionId = /\/link\/s\/([^/]+)\//.exec(done.url)?.[1] as string
  const link = await exchange(la, db, done)
  const firstTokens = { refresh: link.refreshToken, access: link.accessToken }
  const odoo = createOdooClient(h.app, { ...link }, { dbUuid: db, now: h.clock.now })
  const accounts = await odoo.call('/proxy/v1/accounts', {}, '19.0')
  t.ok(accounts.result?.accounts.length > 0, 'accounts fetched')
  const ibans: string[] = accounts.result.accounts.map((a: { account_number: string }) => a.account_number).filter((n: unknown) => typeof n === 'string' && n.length >= 10)
  const history = await odoo.call('/proxy/v1/transactions', { account_id: accounts.result.accounts[0].online_identifier, start_date: false }, '19.0')
  t.ok(history.result?.transactions.length > 0, 'transactions fetched')
  const partnerAccounts: string[] = [...new Set<string>(history.result.transactions.map((x: { account_number?: string }) => x.account_number).filter((n: unknown) => typeof n === 'string' && n.length >= 10))].slice(0, 20)
  const renewed = await odoo.call('/proxy/v1/renew_token', {}, '19.0')
  odoo.link.refreshToken = renewed.result.refresh_token
  const access = await odoo.call('/proxy/v1/get_access_token', {}, '19.0')
  odoo.link.accessToken = access.result.access_token
  const providerTokens = providerSecrets((await readLink(h.app.services, db, link.clientId))?.connection)
  t.ok(providerTokens.length > 0, `${providerTokens.length} provider secrets of the connection as canaries`)

  const adminToken = await h.adminToken('ops')
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }
  t.equal((await h.app.inject({ method: 'POST', url: `/admin/clients/${link.clientId}/lock`, headers: admin, payload: JSON.stringify({ reason: 'canary test' }) })).statusCode, 200, 'ops lock the client')
  h.clock.offset += 31_000 // the link flow's code was sent less than 30 s ago
  t.equal((await h.app.inject({ method: 'POST', url: `/admin/clients/${link.clientId}/unlock-code`, headers: { authorization: admin.authorization } })).statusCode, 202, 'an unlock code is sent')
  const unlockCode = await lastCode(la, PHONE)
  const unlocked = await h.app.inject({ method: 'POST', url: `/admin/clients/${link.clientId}/unlock`, headers: admin, payload: JSON.stringify({ code: unlockCode }) })
  t.match(unlocked.json(), { locked: false, phone: '***01' }, 'unlocked with the SMS code; the phone is shown masked')
  t.ok((await odoo.call('/proxy/v1/accounts', {}, '19.0')).result, 'the client works again')

  const secrets: Record<string, string> = {
    'first refresh token': firstTokens.refresh,
    'first access token': firstTokens.access,
    'renewed refresh token': odoo.link.refreshToken,
    'renewed access token': odoo.link.accessToken,
    'exchange token': exchangeToken,
    'admin JWT': adminToken,
    'admin JWT signature': adminToken.split('.')[2] as string,
    ...Object.fromEntries(providerTokens.map((v, i) => [`provider secret ${i + 1}`, v])),
    ...Object.fromEntries([...ibans, ...partnerAccounts].map((v, i) => [`account number ${i + 1}`, v]))
  }
  const patterns: Record<string, RegExp> = {
    'phone number': /\+?(?:32)?470000001(?![0-9])/,
    'phone verification code': digits(phoneCode),
    'unlock code': digits(unlockCode)
  }
  const found = (text: string): string[] => [
    ...Object.entries(secrets).filter(([, v]) => text.includes(v)).map(([k]) => k),
    ...Object.entries(patterns).filter(([, re]) => re.test(text)).map(([k]) => k)
  ]

  const inLogs = h.logs.flatMap(line => found(line).map(name => `${name}: ${line.slice(0, 200)}`))
  t.same(inLogs, [], `0 canaries in ${h.logs.length} log lines`)
  t.equal(h.logs.filter(line => line.includes(sessionId)).length, 0, 'the link session id (a bearer capability) is in no log line')
  t.ok(h.logs.some(line => line.includes('***01')), 'the phone does appear in the logs, masked to its last two digits')

  t.same(found(`x${secrets['exchange token'] as string}x +32470000001 ${unlockCode}`).sort(), ['exchange token', 'phone number', 'unlock code'], 'control: the detector finds planted canaries')
  await h.redis.hset(`${h.prefix}probe`, 'field', `sealed?${secrets['renewed refresh token'] as string}`)
  t.ok([...(await dumpPrefix(h.redis, h.prefix)).values()].some(v => found(v).includes('renewed refresh token')), 'control: the scan reads hash values')
  await h.redis.del(`${h.prefix}probe`)
  const keys = await dumpPrefix(h.redis, h.prefix)
  const inRedis = [...keys.entries()].flatMap(([key, value]) => found(`${key} ${value}`).map(name => `${name}: ${key}`))
  t.ok(keys.size > 20, `${keys.size} keys scanned`)
  t.same(inRedis, [], `0 canaries in clear in Redis (${Object.keys(secrets).length + Object.keys(patterns).length} canaries)`)
})
