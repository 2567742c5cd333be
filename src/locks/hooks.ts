/**
 * Detection on `exchange_token`, the one proxy endpoint without a client (so not in the gate):
 * a database under a database-wide lock cannot create links, and every link created counts
 * towards the link-burst rule. Added as app-level hooks matching that one route.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { utilsOf, type OdooUtils } from '../proxy/utils.js'
import { onLinkCreated } from './detect.js'

const EXCHANGE = '/proxy/v1/exchange_token'

function utilsOrNull (req: FastifyRequest): OdooUtils | null {
  try {
    return utilsOf(req.body)
  } catch {
    return null
  }
}

export function exchangeHooks (app: FastifyInstance, s: Services): void {
  app.addHook('preHandler', async (req) => {
    if (req.routeOptions.url !== EXCHANGE) return
    const utils = utilsOrNull(req)
    if (utils === null) return
    const lock = await s.redis.hmget(s.keys.dbLock(utils.dbUuid), 'locked', 'reason')
    if (lock[0] === '1') throw new AppError('BSB_ACCOUNT_LOCKED', { detail: `database locked: ${lock[1] ?? 'unknown'}; no new link` })
  })
  // onSend, not onResponse: the lock is in place before Odoo receives the new client's tokens.
  app.addHook('onSend', async (req, _reply, payload) => {
    if (req.routeOptions.url !== EXCHANGE || req.bsb.clientId === null) return payload
    const utils = utilsOrNull(req)
    if (utils === null) return payload
    try {
      await onLinkCreated(s, req, utils.dbUuid, req.bsb.clientId, utils.psu)
    } catch (err) {
      req.log.warn({ err: (err as Error).message, dbUuid: utils.dbUuid }, 'link-burst rule could not count')
    }
    return payload
  })
}
