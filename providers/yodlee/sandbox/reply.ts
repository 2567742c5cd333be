/**
 * Yodlee's error body `{errorCode, errorMessage, referenceCode}` and the API authentication checks
 * (`Api-Version`, `Authorization: Bearer`) with the codes Yodlee documents (Y007, Y008/Y020, Y023, Y016).
 */
import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SandboxStore } from './store.js'

export function referenceCode (now: number): string {
  return `u${now}${randomBytes(3).toString('hex')}u`
}

export function sendYodleeError (reply: FastifyReply, status: number, code: string, message: string, now: number): FastifyReply {
  return reply.code(status).type('application/json;charset=UTF-8').send({ errorCode: code, errorMessage: message, referenceCode: referenceCode(now) })
}

export interface Principal { loginName: string, admin: boolean }

const principals = new WeakMap<FastifyRequest, Principal>()

export function principalOf (req: FastifyRequest): Principal {
  const p = principals.get(req)
  if (p === undefined) throw new Error('route used without the Yodlee auth hook')
  return p
}

function headerValue (req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** preHandler for every API route except `/auth/token`. */
export function createAuthHook (store: SandboxStore, now: () => number) {
  return async function yodleeAuth (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const version = headerValue(req, 'api-version')
    if (version === undefined || version === '') {
      return sendYodleeError(reply, 401, 'Y016', 'loginName or Api-Version header missing', now())
    }
    if (version !== '1.1') {
      return sendYodleeError(reply, 400, 'Y800', 'Invalid value for Api-Version', now())
    }
    const auth = headerValue(req, 'authorization')
    if (auth === undefined || auth === '') {
      return sendYodleeError(reply, 401, 'Y007', 'Authorization header missing', now())
    }
    const m = /^Bearer ([A-Za-z0-9_-]+)$/.exec(auth)
    if (m === null) {
      return sendYodleeError(reply, 401, 'Y008', 'Invalid token in authorization header', now())
    }
    const token = store.token(m[1])
    if (token === undefined) {
      return sendYodleeError(reply, 401, 'Y020', 'Invalid token in authorization header', now())
    }
    if (now() >= token.expiresAt) {
      return sendYodleeError(reply, 401, 'Y023', 'Token has expired', now())
    }
    principals.set(req, { loginName: token.loginName, admin: token.admin })
    return undefined
  }
}
