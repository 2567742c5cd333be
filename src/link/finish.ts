/**
 * The end of a consent: link mode mints the single-use exchange token carrying the new link;
 * reconnect modes rewrite the client's link in place. Either way the `success` data holds only
 * `account.online.link` field names (Odoo writes it verbatim), never `mode`.
 */
import type { Services } from '../services.js'
import type { Connection, Institution, ProviderAdapter } from '../../providers/types.js'
import { majorVersion } from '../proxy/utils.js'
import { readLink, writeLink, type LinkData } from './store.js'
import type { LinkSession } from './session.js'

const DAY_MS = 86_400_000

export function institutionOfLink (link: LinkData | null): Institution | null {
  const i = link?.institution as Record<string, unknown> | undefined
  if (link === null || typeof link.provider !== 'string' || typeof link.institutionId !== 'string' || i === undefined) return null
  return {
    id: link.institutionId,
    provider: link.provider as Institution['provider'],
    name: String(i.name ?? ''),
    country: String(i.country ?? 'XX'),
    bic: typeof i.bic === 'string' ? i.bic : null,
    logoUrl: null,
    beta: i.beta === true,
    historyDays: typeof i.historyDays === 'number' ? i.historyDays : null,
    refreshPolicy: (i.refreshPolicy as Institution['refreshPolicy'] | undefined) ?? 'automatic',
    mfa: false,
    consentDays: typeof i.consentDays === 'number' ? i.consentDays : null
  }
}

/** What Odoo writes on `account.online.link` after `success` (fields that exist in that version). */
export function successData (inst: Pick<Institution, 'name' | 'provider' | 'refreshPolicy'>, consentExpiresAt: string | null, serverVersion: string): Record<string, unknown> {
  const data: Record<string, unknown> = { name: inst.name, provider_type: inst.provider, auto_sync: inst.refreshPolicy !== 'manual_only' }
  if (consentExpiresAt !== null && majorVersion(serverVersion) >= 16) data.expiring_synchronization_date = consentExpiresAt
  return data
}

async function expiryOf (s: Services, adapter: ProviderAdapter, conn: Connection, inst: Institution): Promise<string | null> {
  try {
    const date = await adapter.consentExpiry(conn)
    if (date !== null) return date.slice(0, 10)
  } catch (err) {
    s.log?.warn({ provider: inst.provider, err: (err as Error).message }, 'consent expiry unknown after linking; using the institution default')
  }
  return inst.consentDays === null ? null : new Date(s.now() + inst.consentDays * DAY_MS).toISOString().slice(0, 10)
}

export async function finishConsent (s: Services, session: LinkSession, adapter: ProviderAdapter, conn: Connection): Promise<NonNullable<LinkSession['result']>> {
  const inst = session.choice as Institution
  const consentExpiresAt = await expiryOf(s, adapter, conn, inst)
  const link = {
    provider: inst.provider,
    institutionId: inst.id,
    institution: { name: inst.name, bic: inst.bic, country: inst.country, refreshPolicy: inst.refreshPolicy, historyDays: inst.historyDays, beta: inst.beta, consentDays: inst.consentDays },
    connection: conn,
    consentExpiresAt
  }
  const success = successData(inst, consentExpiresAt, session.serverVersion)
  if (session.mode === 'link' || session.clientId === null) {
    const exchangeToken = await s.exchangeTokens.mint({ dbUuid: session.dbUuid, link })
    await s.audit.record({ type: 'link_consented', actor: 'user', dbUuid: session.dbUuid, detail: `${inst.provider} ${inst.name}`.slice(0, 200) })
    return { exchangeToken, success }
  }
  const existing = await readLink(s, session.dbUuid, session.clientId)
  await writeLink(s, session.dbUuid, session.clientId, { ...(existing ?? {}), ...link })
  await s.audit.record({ type: 'link_updated', actor: 'user', clientId: session.clientId, dbUuid: session.dbUuid, detail: `${session.mode}: ${inst.provider} ${inst.name}`.slice(0, 200) })
  return { exchangeToken: null, success }
}

/** Mode `none`: nothing to ask the bank; Odoo just wants the record refreshed. */
export async function currentLinkResult (s: Services, session: LinkSession): Promise<NonNullable<LinkSession['result']>> {
  const link = session.clientId === null ? null : await readLink(s, session.dbUuid, session.clientId)
  const inst = institutionOfLink(link)
  const expires = typeof link?.consentExpiresAt === 'string' ? link.consentExpiresAt : null
  return { exchangeToken: null, success: inst === null ? {} : successData(inst, expires, session.serverVersion) }
}
