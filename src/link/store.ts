/** The link attached to a client: provider, institution and the sealed provider connection. */
import type { Services } from '../services.js'
import type { Connection } from '../../providers/types.js'

export interface LinkData {
  provider?: string
  institutionId?: string
  connection?: Connection
  [key: string]: unknown
}

export async function readLink (s: Services, dbUuid: string, clientId: string): Promise<LinkData | null> {
  const sealed = await s.redis.hget(s.keys.link(dbUuid, clientId), 'data')
  return sealed === null ? null : s.box.openJson<LinkData>(sealed, `link:${clientId}`)
}

export async function removeLink (s: Services, dbUuid: string, clientId: string): Promise<void> {
  await s.redis.del(s.keys.link(dbUuid, clientId), s.keys.accounts(dbUuid, clientId))
}
