/**
 * After a crash and restart: is every acknowledged write still there? Checked through the broker
 * (the client signs with its latest acknowledged tokens; a locked client is refused as locked) and
 * in Redis itself (the client, its link and its lock-index entry exist).
 */
import { patiently, type Broker } from './broker.js'
import type { TrackedClient, WriteAnswer } from './writers.js'
import { duringOutage, inFlightAtKill, type OutageWindow } from './answers.js'
import { signedCall } from '../helpers/odoo-client.js'

export interface Verification {
  checked: number
  /** One line per acknowledged write the restarted broker does not have; must stay empty. */
  missing: string[]
  /** Unsettled clients (below) whose unacknowledged write had in fact landed. */
  landedUnacknowledged: number
}

/** Refusals after which the broker cannot know whether Redis applied the write (timeout, connection lost). */
const UNKNOWN_OUTCOME = new Set(['BSB_SERVICE_UNAVAILABLE', 'BSB_INTERNAL'])

/**
 * Clients with a write that failed without a known outcome (in flight at the kill, or refused by a
 * command timeout) after their last acknowledged write, or with such a failed lock: that write
 * may have landed without being acknowledged (a lock, an access token newer than the tracked one).
 * A request asked and answered while Redis was gone cannot have written anything.
 */
export function unsettledClients (answers: WriteAnswer[], w: OutageWindow): Set<TrackedClient> {
  const lastAck = new Map<TrackedClient, number>()
  for (const a of answers) if (a.ok && a.client !== null) lastAck.set(a.client, Math.max(lastAck.get(a.client) ?? 0, a.endedAt))
  const out = new Set<TrackedClient>()
  for (const a of answers) {
    if (a.ok || a.client === null) continue
    if (duringOutage(a, w)) continue
    if (!inFlightAtKill(a, w) && !UNKNOWN_OUTCOME.has(a.code ?? '')) continue
    if (a.kind === 'lock' || a.startedAt >= (lastAck.get(a.client) ?? 0)) out.add(a.client)
  }
  return out
}

const BATCH = 20
const UNAVAILABLE = 'BSB_SERVICE_UNAVAILABLE'

/** What a signed data call with the client's tokens shows: usable, or the refusal's code. */
async function brokerView (b: Broker, c: TrackedClient): Promise<string> {
  const call = async (): Promise<string> => {
    const res = await signedCall(b.h.app, '/proxy/v1/authorize_access', c, { linked_accounts: [] }, { dbUuid: c.db })
    return res.body.result !== undefined ? 'usable' : String(res.body.error?.data?.exception_type ?? 'UNKNOWN')
  }
  return await patiently(call, seen => seen === UNAVAILABLE)
}

async function checkThroughBroker (b: Broker, c: TrackedClient, unsettled: boolean): Promise<'ok' | 'landed' | string> {
  const expected = c.locked ? 'BSB_ACCOUNT_LOCKED' : 'usable'
  const seen = await brokerView(b, c)
  if (seen === expected) return 'ok'
  if (unsettled && seen === 'BSB_ACCOUNT_LOCKED') return 'landed'
  if (unsettled && seen === 'BSB_ACCESS_TOKEN_EXPIRED') {
    // A newer access token landed; the acknowledged refresh token must still sign.
    const issued = await patiently(async () => await signedCall(b.h.app, '/proxy/v1/get_access_token', c, {}, { dbUuid: c.db }), r => r.body.error?.data?.exception_type === UNAVAILABLE)
    if (issued.body.result !== undefined) return 'landed'
  }
  return `${c.clientId} (${c.db}): expected ${expected}, the broker answered ${seen}`
}

async function checkInRedis (b: Broker, clients: TrackedClient[]): Promise<string[]> {
  const keys = b.h.app.services.keys
  const missing: string[] = []
  for (let i = 0; i < clients.length; i += 500) {
    const batch = clients.slice(i, i + 500)
    const p = b.direct.pipeline()
    for (const c of batch) p.exists(keys.client(c.db, c.clientId), keys.link(c.db, c.clientId)).sismember(keys.lockedClients(), c.clientId)
    const replies = (await p.exec()) ?? []
    batch.forEach((c, j) => {
      const [, present] = replies[2 * j] ?? []
      const [, indexed] = replies[2 * j + 1] ?? []
      if (present !== 2) missing.push(`${c.clientId} (${c.db}): client record or link missing in Redis`)
      if (c.locked && indexed !== 1) missing.push(`${c.clientId} (${c.db}): locked but not in the lock index`)
    })
  }
  return missing
}

export async function verifyAcknowledged (b: Broker, clients: TrackedClient[], unsettled: Set<TrackedClient>): Promise<Verification> {
  const missing = await checkInRedis(b, clients)
  let landedUnacknowledged = 0
  for (let i = 0; i < clients.length; i += BATCH) {
    const results = await Promise.all(clients.slice(i, i + BATCH).map(async c => await checkThroughBroker(b, c, unsettled.has(c))))
    for (const r of results) {
      if (r === 'landed') landedUnacknowledged++
      else if (r !== 'ok') missing.push(r)
    }
  }
  return { checked: clients.length, missing, landedUnacknowledged }
}
