/** Stores the link data (provider, institution, sealed connection) that an exchange token carried onto the new client. */
import type { Services } from '../services.js'
import { writeLink, type LinkData } from './store.js'

export function attachLinkData (s: Services) {
  return async (dbUuid: string, clientId: string, link: Record<string, unknown>): Promise<void> => {
    await writeLink(s, dbUuid, clientId, link as LinkData)
  }
}
