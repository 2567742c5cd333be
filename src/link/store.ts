/** The link attached to a client: provider, institution and the sealed provider connection. */
import type { Services } from '../services.js'
import type { Connection, JsonObject, RefreshPolicy } from '../../providers/types.js'

export interface LinkInstitution {
  name: string
  bic: string | null
  country: string
  refreshPolicy: RefreshPolicy
  historyDays: number | null
  beta: boolean
  consentDays: number | null
}

export interface LinkData {
  provider?: string
  institutionId?: string
  institution?: LinkInstitution
  connection?: Connection
  consentExpiresAt?: string | null
  [key: string]: unknown
}

const aad = (clientId: string): string => `link:${clientId}`

export async function readLink (s: Services, dbUuid: string, clientId: string): Promise<LinkData | null> {
  const sealed = await s.redis.hget(s.keys.link(dbUuid, clientId), 'data')
  return sealed === null ? null : openLink(s, clientId, sealed)
}

/** Opens link data read elsewhere (the gate's round trip returns it sealed). */
export function openLink (s: Services, clientId: string, sealed: string): LinkData {
  return s.box.openJsonKept<LinkData>(sealed, aad(clientId))
}

/** The client's link data as this process last opened it, with its envelope, while kept (the gate then asks Redis only whether it changed). */
export function keptLink (s: Services, clientId: string): { envelope: string, value: LinkData } | undefined {
  return s.box.lastKeptJson<LinkData>(aad(clientId))
}

/** Writes (or replaces in place: reconnect, update credentials) the link data of a client. */
export async function writeLink (s: Services, dbUuid: string, clientId: string, data: LinkData): Promise<void> {
  const key = s.keys.link(dbUuid, clientId)
  await s.redis.multi()
    .hset(key, { data: s.box.sealJson(data, aad(clientId)), updated: String(s.now()) })
    .expire(key, s.config.tokens.refreshTtlSeconds + 30 * 86_400)
    .exec()
}

/**
 * Stores the connection's secrets after a provider rotated a token, and answers the link to use from
 * then on (opened link data is shared and frozen: a new object, never a changed one).
 */
export async function saveRotatedSecrets (s: Services, dbUuid: string, clientId: string, link: LinkData, secrets: JsonObject | undefined): Promise<LinkData> {
  if (secrets === undefined || link.connection === undefined) return link
  const rotated = { ...link, connection: { ...link.connection, secrets } }
  await writeLink(s, dbUuid, clientId, rotated)
  return rotated
}

export async function removeLink (s: Services, dbUuid: string, clientId: string): Promise<void> {
  await s.redis.del(s.keys.link(dbUuid, clientId), s.keys.accounts(dbUuid, clientId))
}

/**
 * What `/proxy/v1/authorize_access` told us about a link: the accounts Odoo has activated (linked
 * to a journal) and the recent grants (SHA-256 of Odoo's `record_access_token`) that let a new
 * link pop-up of the same database offer the others. Its own field of the link hash, so it never
 * races with rewrites of the sealed link data.
 */
export interface LinkAccess {
  activated: string[]
  grants: Array<{ hash: string, at: number }>
}

const accessAad = (clientId: string): string => `link-access:${clientId}`

export async function readLinkAccess (s: Services, dbUuid: string, clientId: string): Promise<LinkAccess | null> {
  const sealed = await s.redis.hget(s.keys.link(dbUuid, clientId), 'access')
  return sealed === null ? null : s.box.openJson<LinkAccess>(sealed, accessAad(clientId))
}

export async function writeLinkAccess (s: Services, dbUuid: string, clientId: string, access: LinkAccess): Promise<void> {
  const key = s.keys.link(dbUuid, clientId)
  await s.redis.multi()
    .hset(key, 'access', s.box.sealJson(access, accessAad(clientId)))
    .expire(key, s.config.tokens.refreshTtlSeconds + 30 * 86_400)
    .exec()
}
