/**
 * Suspicious-activity rules. Each counts in Redis (one Lua script per count, windows with TTLs; the
 * per-request counts come with the gate's own script);
 * when a count reaches its threshold (configuration: DETECT_*) the rule locks the client or every
 * client of the database and records a security event: who (the rule), what, when, source IP,
 * user agent and the end user's (PSU) IP and agent from `utils.psu_info`.
 */
import type { FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import type { ClientRecord } from '../store/clients.js'
import type { RequestCount } from '../store/gate-script.js'
import type { PsuInfo } from '../../providers/types.js'
import { lockScripts } from './scripts.js'
import { lockClient, lockDatabase, type Actor } from './store.js'

type Rule = 'bad_signatures' | 'foreign_db' | 'link_burst' | 'rate_anomaly' | 'psu_ips' | 'wrong_codes'

const psuText = (psu: PsuInfo | null): string => psu === null ? 'psu=none' : `psu_ip=${psu.ip} psu_ua=${JSON.stringify(psu.userAgent.slice(0, 120))}`

function actorOf (req: FastifyRequest, rule: Rule, psu: PsuInfo | null): Actor {
  return { actor: `rule:${rule}`, ip: req.ip, userAgent: req.headers['user-agent'] ?? null, context: psuText(psu) }
}

async function count (s: Services, name: string, windowSeconds: number): Promise<number> {
  return await lockScripts(s.redis).bsbCount(s.keys.counter(name), windowSeconds * 1000)
}

interface Firing { rule: Rule, scope: 'client' | 'database', dbUuid: string, clientId: string | null, what: string, psu: PsuInfo | null, event?: string }

/** Locks, then records the security event (only when this call locked: no event storm while locked). */
async function fire (s: Services, req: FastifyRequest, f: Firing): Promise<boolean> {
  const by = actorOf(req, f.rule, f.psu)
  const locked = f.scope === 'client'
    ? await lockClient(s, f.dbUuid, f.clientId as string, f.what, by)
    : await lockDatabase(s, f.dbUuid, f.what, by, f.clientId)
  if (locked) {
    await s.audit.record({ type: f.event ?? `security_${f.rule}`, actor: by.actor, clientId: f.clientId, dbUuid: f.dbUuid, ip: req.ip, userAgent: by.userAgent, detail: `${f.what}; locked the ${f.scope}; ${psuText(f.psu)}` })
  }
  return locked
}

/** A request whose HMAC did not verify, for an existing client. */
export async function onBadSignature (s: Services, req: FastifyRequest, client: ClientRecord, psu: PsuInfo | null): Promise<void> {
  const rule = s.config.detection.badSignatures
  const n = await count(s, `badsig:${client.clientId}`, rule.windowSeconds)
  if (n >= rule.count && !client.locked) {
    await fire(s, req, { rule: 'bad_signatures', scope: 'client', dbUuid: client.dbUuid, clientId: client.clientId, what: `${n} bad signatures within ${rule.windowSeconds}s`, psu })
  }
}

/** A correctly signed request for a client from a db_uuid it does not belong to: an event every time, a lock at the threshold. */
export async function onForeignDb (s: Services, req: FastifyRequest, client: ClientRecord, fromDb: string, psu: PsuInfo | null): Promise<void> {
  const rule = s.config.detection.foreignDb
  const n = await count(s, `foreign:${client.clientId}`, rule.windowSeconds)
  const what = `signed request from another db_uuid ${fromDb} (${n} within ${rule.windowSeconds}s)`
  if (n >= rule.count && !client.locked && await fire(s, req, { rule: 'foreign_db', scope: 'client', dbUuid: client.dbUuid, clientId: client.clientId, what, psu, event: 'client_foreign_db' })) return
  await s.audit.record({ type: 'client_foreign_db', actor: 'rule:foreign_db', clientId: client.clientId, dbUuid: client.dbUuid, ip: req.ip, userAgent: req.headers['user-agent'] ?? null, detail: `${what}; ${psuText(psu)}` })
}

/**
 * Every authenticated, unlocked request, counted by the gate's own script: its rate against the
 * client's normal and its distinct end-user IPs. True when a rule locked the client (the gate then
 * refuses this request too). Touches Redis only when a rule fires.
 */
export async function judgeRequest (s: Services, req: FastifyRequest, client: ClientRecord, psu: PsuInfo | null, seen: RequestCount): Promise<boolean> {
  const d = s.config.detection
  const normal = seen.normalPerMinute
  const limit = Math.max(d.rateFloor, normal >= 0 ? Math.ceil(d.rateFactor * normal) : 0)
  const base = { scope: 'client' as const, dbUuid: client.dbUuid, clientId: client.clientId, psu }
  if (seen.thisMinute > limit) {
    const what = `${seen.thisMinute} requests this minute, normal ${normal >= 0 ? normal.toFixed(1) : 'unknown'}/min, limit ${limit}`
    return await fire(s, req, { ...base, rule: 'rate_anomaly', what })
  }
  if (seen.distinctPsuIps >= d.psuIps.count) {
    return await fire(s, req, { ...base, rule: 'psu_ips', what: `${seen.distinctPsuIps} distinct end-user IPs within ${d.psuIps.windowSeconds}s` })
  }
  return false
}

/** A link created for a database (exchange_token succeeded). */
export async function onLinkCreated (s: Services, req: FastifyRequest, dbUuid: string, clientId: string, psu: PsuInfo | null): Promise<void> {
  const rule = s.config.detection.linkBurst
  const n = await count(s, `links:${dbUuid}`, rule.windowSeconds)
  if (n >= rule.count) {
    await fire(s, req, { rule: 'link_burst', scope: 'database', dbUuid, clientId, what: `${n} links created within ${rule.windowSeconds}s`, psu })
  }
}

/** A wrong SMS code for a database (ops unlock; the link flow's phone check may call it too). */
export async function onWrongSmsCode (s: Services, req: FastifyRequest, dbUuid: string, clientId: string | null, source: string): Promise<void> {
  const rule = s.config.detection.wrongCodes
  const n = await count(s, `wrongcodes:${dbUuid}`, rule.windowSeconds)
  if (n >= rule.count) {
    await fire(s, req, { rule: 'wrong_codes', scope: 'database', dbUuid, clientId, what: `${n} wrong SMS codes within ${rule.windowSeconds}s (${source})`, psu: null })
  }
}
