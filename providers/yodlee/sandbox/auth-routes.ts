/**
 * `POST /auth/token`: client credentials in a form body, the user in the `loginName` header (an
 * unknown loginName is registered on the fly), `Api-Version: 1.1`; 30-minute tokens.
 */
import type { FastifyInstance } from 'fastify'
import { SANDBOX_CREDENTIALS } from '../credentials.js'
import { isoSeconds } from './model.js'
import { sendYodleeError } from './reply.js'
import type { SandboxStore } from './store.js'

export const TOKEN_SECONDS = 1800

export function registerAuthRoutes (app: FastifyInstance, store: SandboxStore, now: () => number): void {
  app.post('/auth/token', async (req, reply) => {
    const version = req.headers['api-version']
    const loginName = req.headers.loginname
    if (typeof version !== 'string' || version === '' || typeof loginName !== 'string' || loginName === '') {
      return sendYodleeError(reply, 401, 'Y016', 'loginName or Api-Version header missing', now())
    }
    if (version !== '1.1') return sendYodleeError(reply, 400, 'Y800', 'Invalid value for Api-Version', now())
    const ct = String(req.headers['content-type'] ?? '')
    const body = (ct.startsWith('application/x-www-form-urlencoded') && req.body !== null && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>
    const clientId = body.clientId
    const secret = body.secret
    if (typeof clientId !== 'string' || clientId === '' || typeof secret !== 'string' || secret === '') {
      return sendYodleeError(reply, 400, 'Y303', 'clientId or secret is missing', now())
    }
    if (clientId !== SANDBOX_CREDENTIALS.clientId || secret !== SANDBOX_CREDENTIALS.secret) {
      return sendYodleeError(reply, 400, 'Y301', 'Invalid clientId or secret', now())
    }
    if (loginName.length < 3 || loginName.length > 150) {
      return sendYodleeError(reply, 400, 'Y800', 'Invalid value for loginName', now())
    }
    const admin = loginName === SANDBOX_CREDENTIALS.adminLoginName
    if (!admin) store.addUser(loginName)
    const issuedAt = now()
    const accessToken = store.issueToken(loginName, admin, issuedAt + TOKEN_SECONDS * 1000)
    return reply.code(201).type('application/json;charset=UTF-8').send({
      token: { accessToken, issuedAt: isoSeconds(issuedAt), expiresIn: TOKEN_SECONDS }
    })
  })
}
