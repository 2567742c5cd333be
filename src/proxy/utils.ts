/** Reads the `utils` object every Odoo request carries (odoo-protocol.md §2). */
import { AppError } from '../errors.js'
import type { PsuInfo } from '../../providers/types.js'

export interface OdooUtils {
  dbUuid: string
  serverVersion: string
  lang: string
  cron: boolean
  psu: PsuInfo | null
  requestTimeoutSeconds: number
}

const DB_UUID = /^[A-Za-z0-9-]{8,64}$/

export function utilsOf (body: unknown): OdooUtils {
  const utils = (body as { utils?: unknown } | null)?.utils
  if (utils === null || typeof utils !== 'object') throw new AppError('BSB_INVALID_REQUEST', { detail: 'body has no utils object' })
  const u = utils as Record<string, unknown>
  if (typeof u.db_uuid !== 'string' || !DB_UUID.test(u.db_uuid)) throw new AppError('BSB_INVALID_REQUEST', { detail: 'utils.db_uuid missing or malformed' })
  const psuRaw = u.psu_info as Record<string, unknown> | undefined
  const psu = psuRaw !== null && typeof psuRaw === 'object' && typeof psuRaw.ip === 'string'
    ? { ip: psuRaw.ip.slice(0, 64), userAgent: typeof psuRaw.user_agent === 'string' ? psuRaw.user_agent.slice(0, 512) : '' }
    : null
  return {
    dbUuid: u.db_uuid,
    serverVersion: typeof u.server_version === 'string' ? u.server_version : '17.0',
    lang: typeof u.lang === 'string' && /^[a-z]{2}(_[A-Z]{2})?$/.test(u.lang) ? u.lang : 'en_US',
    cron: u.cron === true,
    psu,
    requestTimeoutSeconds: typeof u.request_timeout === 'number' && u.request_timeout > 0 ? Math.min(u.request_timeout, 300) : 60
  }
}

/** Major version number from `server_version` ("17.0", "saas~17.4" → 17). */
export function majorVersion (serverVersion: string): number {
  const m = /(\d+)\.\d+/.exec(serverVersion)
  return m === null ? 17 : Number(m[1])
}
