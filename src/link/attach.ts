/** Stores the link data (provider, institution, sealed connection) that an exchange token carried onto the new client. */
import type { Services } from '../services.js'

export function attachLinkData (s: Services) {
  return async (dbUuid: string, clientId: string, link: Record<string, unknown>): Promise<void> => {
    const key = s.keys.link(dbUuid, clientId)
    await s.redis.multi()
      .hset(key, { data: s.box.sealJson(link, `link:${clientId}`), created: String(s.now()) })
      .expire(key, s.config.tokens.refreshTtlSeconds + 30 * 86_400)
      .exec()
  }
}
