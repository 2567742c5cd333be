/**
 * What the pop-up is opened with: the OdooFin script POSTs Odoo's params as JSON (so the access
 * token never sits in a URL), and a plain GET with a few query fields opens a link-mode flow
 * without any script. Everything is validated here; anything malformed is dropped.
 */
import { LINK_MODES, type LinkMode } from './session.js'

export interface StartParams {
  mode: LinkMode
  clientId: string | null
  accessToken: string | null
  hostOrigin: string | null
  dbUuid: string | null
  lang: string
  country: string | null
  phoneHint: string | null
  userEmail: string | null
  clickedInstitution: string | null
  serverVersion: string
  /** Odoo's `record_access_token` (17+) when it granted its existing links' accounts to this pop-up. */
  recordAccessToken: string | null
  /** Odoo 19's `journal_type` (`bank` or `credit`), echoed in `connect_existing_account`. */
  journalType: 'bank' | 'credit' | null
}

const DB_UUID = /^[A-Za-z0-9-]{8,64}$/
const CLIENT_ID = /^[A-Za-z0-9_-]{3,64}$/
const LANG = /^[a-z]{2,3}(_[A-Z]{2})?(@\w+)?$/

const str = (v: unknown, max: number): string | null => typeof v === 'string' && v.length > 0 && v.length <= max ? v : null

export function originOf (value: unknown): string | null {
  const text = str(value, 300)
  if (text === null) return null
  try {
    const u = new URL(text)
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === text ? u.origin : null
  } catch {
    return null
  }
}

export function parseStartParams (raw: Record<string, unknown>): StartParams {
  const inc = (raw.includeParam !== null && typeof raw.includeParam === 'object' ? raw.includeParam : {}) as Record<string, unknown>
  const mode = (LINK_MODES as readonly string[]).includes(raw.mode as string) ? raw.mode as LinkMode : 'link'
  const lang = str(inc.lang, 16)
  const country = str(inc.countryCode, 2)
  const email = str(inc.userEmail, 254)
  const clicked = typeof inc.clickedInstitution === 'number' ? String(inc.clickedInstitution) : str(inc.clickedInstitution, 200)
  const db = str(inc.dbUuid, 64)
  const clientId = str(raw.clientId, 64)
  return {
    mode,
    clientId: clientId !== null && CLIENT_ID.test(clientId) ? clientId : null,
    accessToken: str(raw.accessToken, 200),
    hostOrigin: originOf(raw.hostOrigin),
    dbUuid: db !== null && DB_UUID.test(db) ? db : null,
    lang: lang !== null && LANG.test(lang) ? lang : 'en_US',
    country: country !== null && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : null,
    phoneHint: str(inc.phoneNumber, 32),
    userEmail: email !== null && email.includes('@') ? email : null,
    clickedInstitution: clicked,
    serverVersion: str(inc.serverVersion, 32) ?? '17.0',
    recordAccessToken: str(inc.recordAccessToken, 200),
    journalType: inc.journal_type === 'bank' || inc.journal_type === 'credit' ? inc.journal_type : null
  }
}

/** The no-script entry: `GET /link/start?db_uuid=…&lang=…&country=…&institution=…` (link mode only). */
export function parseQueryParams (q: Record<string, unknown>): StartParams {
  return parseStartParams({
    mode: 'link',
    includeParam: { dbUuid: q.db_uuid, lang: q.lang, countryCode: q.country, phoneNumber: q.phone, userEmail: q.email, clickedInstitution: q.institution }
  })
}
