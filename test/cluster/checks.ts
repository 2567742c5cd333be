/**
 * The flows both topology tests (Cluster, Sentinel) run against a two-broker deployment: what
 * Odoo and ops see when consecutive requests land on different instances. On failure each check
 * prints the brokers' last log lines (tap shows `logs` only for failed assertions).
 */
import type { Test } from 'tap'
import type { OdooLink } from '../helpers/odoo-client.js'
import { exceptionType, signedHttpCall } from '../helpers/odoo-http.js'
import type { BrokerProcess } from '../helpers/broker-process.js'
import { adminCall, lastSmsCode, type Deployment } from './deployment.js'

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/** The brokers' last log lines (warnings and errors at LOG_LEVEL=warn). */
export function recentLogs (d: Deployment): string[] {
  return d.brokers.flatMap((b, i) => b.logs().slice(-8).map(l => `b${i + 1}: ${l.slice(0, 400)}`))
}

export const call = async (b: BrokerProcess, path: string, link: OdooLink, db: string, fields: Record<string, unknown> = {}): Promise<any> =>
  await signedHttpCall(b.base, path, link, fields, { dbUuid: db })

/** Accounts through broker 2, the first transactions page through both: the same ledger. */
export async function checkFetchOnBoth (t: Test, d: Deployment, link: OdooLink, db: string): Promise<void> {
  const accounts = await call(d.b2, '/proxy/v1/accounts', link, db)
  t.equal(accounts.result?.accounts?.length, 2, 'broker 2 lists the link\'s two accounts', { error: accounts.error, logs: recentLogs(d) })
  const account = accounts.result?.accounts?.[0]?.online_identifier
  const fields = { account_id: account, start_date: false, last_transaction_identifier: false }
  const via2 = await call(d.b2, '/proxy/v1/transactions', link, db, fields)
  t.ok(via2.result?.transactions?.length > 0, 'broker 2 serves transactions', { answer: JSON.stringify(via2).slice(0, 600), logs: recentLogs(d) })
  const via1 = await call(d.b1, '/proxy/v1/transactions', link, db, fields)
  const ids = (r: any): string[] => (r.result?.transactions ?? []).map((x: any) => x.online_transaction_identifier)
  t.same(ids(via1), ids(via2), 'broker 1 serves the same first page from the shared ledger', { answer: JSON.stringify(via1).slice(0, 600), logs: recentLogs(d) })
}

/** Ops locks a client; like an operator, retries while the broker answers 503 (Redis switching), for at most `retryForMs`. */
export async function lockVia (t: Test, d: Deployment, b: BrokerProcess, link: OdooLink, retryForMs = 0): Promise<void> {
  const started = Date.now()
  let locked = await adminCall(b, 'POST', `/admin/clients/${link.clientId}/lock`, { reason: 'multi-instance test', scope: 'client' })
  while (locked.status === 503 && Date.now() - started < retryForMs) {
    t.match(locked.body?.reference, /^ref_/, 'a refusal while Redis switches carries a reference')
    await sleep(100)
    locked = await adminCall(b, 'POST', `/admin/clients/${link.clientId}/lock`, { reason: 'multi-instance test', scope: 'client' })
  }
  t.equal(locked.status, 200, `ops lock through ${b.base}`, { body: locked.body, logs: recentLogs(d) })
  t.equal(locked.body?.locked, true, 'the admin API reports the client locked')
}

/** Odoo's call is refused as locked (with a reference) and ops' listing on that broker shows the lock. */
export async function checkLockedOn (t: Test, d: Deployment, b: BrokerProcess, link: OdooLink, db: string): Promise<void> {
  const refused = await call(b, '/proxy/v1/accounts', link, db)
  t.equal(exceptionType(refused), 'BSB_ACCOUNT_LOCKED', `${b.base} refuses the locked client`, { answer: refused, logs: recentLogs(d) })
  t.match(refused.error?.data?.error_reference, /^ref_/, 'with a reference')
  const listing = await adminCall(b, 'GET', '/admin/locks')
  t.ok(listing.body?.clients?.some((c: any) => c.client_id === link.clientId), `${b.base} lists the lock`)
}

/** Ops asks for an unlock code; a send inside the 30 s gap after the link's phone code is refused with Retry-After, then retried once. */
async function sendUnlockCode (t: Test, d: Deployment, b: BrokerProcess, clientId: string): Promise<void> {
  let sent = await adminCall(b, 'POST', `/admin/clients/${clientId}/unlock-code`)
  if (sent.status === 429) {
    const wait = Number(sent.headers['retry-after'])
    t.ok(wait > 0 && wait <= 31, `a send too soon after the link's code says when to retry (${wait} s)`)
    await sleep(wait * 1000 + 200)
    sent = await adminCall(b, 'POST', `/admin/clients/${clientId}/unlock-code`)
  }
  t.equal(sent.status, 202, 'unlock code sent', { body: sent.body, logs: recentLogs(d) })
}

/** The code flow through broker `b` (its Twilio sandbox holds the code). */
export async function unlockByCodeVia (t: Test, d: Deployment, b: BrokerProcess, link: OdooLink, phone: string): Promise<void> {
  await sendUnlockCode(t, d, b, link.clientId)
  const unlocked = await adminCall(b, 'POST', `/admin/clients/${link.clientId}/unlock`, { code: await lastSmsCode(b, phone) })
  t.equal(unlocked.status, 200, 'unlock with the code read from the SMS', { body: unlocked.body, logs: recentLogs(d) })
  t.equal(unlocked.body?.locked, false, 'the admin API reports the client unlocked')
}

export async function checkServes (t: Test, d: Deployment, b: BrokerProcess, link: OdooLink, db: string): Promise<void> {
  const served = await call(b, '/proxy/v1/accounts', link, db)
  t.equal(served.result?.accounts?.length, 2, `${b.base} serves the client`, { error: served.error, logs: recentLogs(d) })
}

/** `total` concurrent signed calls of a fresh client, alternating brokers: exactly `limit` pass, the rest are refused as rate limited. */
export async function checkRateLimitAcross (t: Test, d: Deployment, link: OdooLink, db: string, limit: number, total: number): Promise<void> {
  const answers = await Promise.all(Array.from({ length: total }, async (_, i) =>
    await call(d.brokers[i % 2] as BrokerProcess, '/proxy/v1/get_access_token', link, db)))
  const passed = answers.filter(a => typeof a.result?.access_token === 'string').length
  const limited = answers.filter(a => exceptionType(a) === 'BSB_RATE_LIMITED').length
  t.equal(passed, limit, `exactly ${limit} of ${total} pass across both brokers`)
  t.equal(limited, total - limit, `the other ${total - limit} are refused as rate limited`, { other: answers.find(a => a.result === undefined && exceptionType(a) !== 'BSB_RATE_LIMITED') })
}

/** Odoo deletes the link through broker 1; broker 2 no longer knows the client. */
export async function checkDeleteAcross (t: Test, d: Deployment, link: OdooLink, db: string): Promise<void> {
  const deleted = await call(d.b1, '/proxy/v1/delete_user', link, db)
  t.same(deleted.result, { delete: true }, 'broker 1 deletes the link', { error: deleted.error, logs: recentLogs(d) })
  const after = await call(d.b2, '/proxy/v1/accounts', link, db)
  t.equal(exceptionType(after), 'BSB_LINK_REQUIRED', 'broker 2 asks for a new link', { answer: after })
  const again = await call(d.b2, '/proxy/v1/delete_user', link, db)
  t.equal(again.error?.code, 104, 'a second delete through broker 2 answers 104, which Odoo treats as deleted')
}
