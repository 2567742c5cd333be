/**
 * Everything the console shows about one client, read through the admin API's own functions
 * (overview, lock state) plus its bank link: provider and institution, never the sealed secrets.
 */
import type { Services } from '../services.js'
import { clientOverview, type ClientOverview } from '../admin/support.js'
import { lockStateOf, type LockState } from '../admin/actions.js'
import { readLink } from '../link/store.js'

const SIBLINGS_SHOWN = 20

export interface LinkSummary {
  provider: string | null
  institution: string | null
  country: string | null
  consentExpiresAt: string | null
  accounts: number
  /** The link data could not be decrypted (encryption key removed). */
  unreadable: boolean
}

export interface ClientView {
  overview: ClientOverview
  state: LockState
  link: LinkSummary | null
  /** Other clients (links) of the same database. */
  siblings: string[]
}

async function linkSummary (s: Services, dbUuid: string, clientId: string): Promise<LinkSummary | null> {
  const accounts = await s.redis.hlen(s.keys.accounts(dbUuid, clientId))
  try {
    const link = await readLink(s, dbUuid, clientId)
    if (link === null) return null
    return { provider: link.provider ?? null, institution: link.institution?.name ?? null, country: link.institution?.country ?? null, consentExpiresAt: link.consentExpiresAt ?? null, accounts, unreadable: false }
  } catch {
    return { provider: null, institution: null, country: null, consentExpiresAt: null, accounts, unreadable: true }
  }
}

/** Throws BSB_ADMIN_NOT_FOUND for an unknown client id, like GET /admin/clients/{id}. */
export async function loadClientView (s: Services, clientId: string): Promise<ClientView> {
  const overview = await clientOverview(s, clientId)
  const [state, link, members] = await Promise.all([
    lockStateOf(s, clientId),
    linkSummary(s, overview.db_uuid, clientId),
    s.clients.listForDb(overview.db_uuid)
  ])
  return { overview, state, link, siblings: members.filter(id => id !== clientId).sort().slice(0, SIBLINGS_SHOWN) }
}
