/**
 * Detection on `exchange_token`, the one proxy endpoint without a client (so not in the gate):
 * a database under a database-wide lock cannot create links, and every link created counts
 * towards the link-burst rule. Hooks of that one route.
 */
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { utilsOf, type OdooUtils } from '../proxy/utils.js'
import { onLinkCreated } from './detect.js'

function utilsOrNull (req: FastifyRequest): OdooUtils | null {
  try {
    return utilsOf(req.body)
  } catch {
    return null
  }
}

/** Route hooks for exchange_token (src/proxy/routes/tokens.ts). */
export function exchangeRouteHooks (s: Services) {
  return {
    async preHandler (req: FastifyRequest): Promise<void> {
      const utils = utilsOrNull(req)
      if (utils === null) return
      const lock = await s.redis.hmget(s.keys.dbLock(utils.dbUuid), 'locked', 'reason')
      if (lock[0] === '1') throw new AppError('BSB_ACCOUNT_LOCKED', { detail: `database locked: ${lock[1] ?? 'unknown'}; no new link` })
    },
    // onSend, not onResponse: the lock is in place before Odoo receives the new client's tokens.
    async onSend (req: FastifyRequest, _reply: unknown, payload: unknown): Promise<unknown> {
      if (req.bsb.clientId === null) return payload
      const utils = utilsOrNull(req)
      if (utils === null) return payload
      try {
        await onLinkCreated(s, req, utils.dbUuid, req.bsb.clientId, utils.psu)
      } catch (err) {
        req.log.warn({ err: (err as Error).message, dbUuid: utils.dbUuid }, 'link-burst rule could not count')
      }
      return payload
    }
  }
}
