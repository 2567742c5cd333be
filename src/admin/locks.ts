/** Admin: list locks (support), lock by hand, send an unlock code, unlock with it, reset a freeze (ops). */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Services } from '../services.js'
import { ADMIN_SECURITY, ClientIdParam, problemResponses } from '../schemas/admin.js'
import { listLocks } from '../locks/store.js'
import { sendUnlockCode, unlockWithCode } from '../locks/unlock.js'
import { smsVerifierFor } from '../sms/verifier-for.js'
import { adminAct as act, lockByOps, lockStateOf as stateOf, resetFreezeByOps, UNLOCK_CODE_SENT as SENT, type LockScope } from './actions.js'

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

const LockStateSchema = Type.Object({
  client_id: Type.String(),
  db_uuid: Type.String(),
  locked: Type.Boolean({ description: 'Client lock or database-wide lock.' }),
  database_locked: Type.Boolean(),
  frozen: Type.Boolean(),
  lock_reason: Nullable(Type.String()),
  phone: Nullable(Type.String({ description: 'Registered phone, masked to its last 2 digits.' }))
})

const ListSchema = Type.Object({
  clients: Type.Array(Type.Object({ client_id: Type.String(), db_uuid: Type.String(), reason: Nullable(Type.String()), locked_at: Nullable(Type.String()), frozen: Type.Boolean(), unlock_failures: Type.Integer() })),
  databases: Type.Array(Type.Object({ db_uuid: Type.String(), reason: Nullable(Type.String()), locked_at: Nullable(Type.String()), locked_by: Nullable(Type.String()) }))
})

const idOf = (req: FastifyRequest): string => (req.params as { client_id: string }).client_id

export async function lockRoutes (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services
  const sms = smsVerifierFor(s)
  const schema = (operationId: string, summary: string, extra: Record<string, unknown>) => ({ tags: ['admin'], operationId, summary, security: ADMIN_SECURITY, ...extra })

  app.get('/admin/locks', {
    schema: schema('listLocks', 'Locked clients and databases.', { response: { 200: ListSchema, ...problemResponses(401, 503) } })
  }, async () => await listLocks(s))

  app.post('/admin/clients/:client_id/lock', {
    config: { adminRole: 'ops' },
    schema: schema('lockClient', 'Lock a client by hand, or every client of its database (ops).', {
      params: ClientIdParam,
      body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 200 }), scope: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('database')])) }, { additionalProperties: false }),
      response: { 200: LockStateSchema, ...problemResponses(400, 401, 403, 404, 503) }
    })
  }, async (req) => {
    const body = req.body as { reason: string, scope?: LockScope }
    await lockByOps(s, idOf(req), body.reason, body.scope ?? 'client', act(req))
    return await stateOf(s, idOf(req))
  })

  app.post('/admin/clients/:client_id/unlock-code', {
    config: { adminRole: 'ops' },
    schema: schema('sendUnlockCode', 'Send an unlock code by SMS to the registered phone of a locked client\'s database (ops). Same answer whether or not a code was sent.', {
      params: ClientIdParam,
      response: { 202: Type.Object({ status: Type.Literal('accepted'), message: Type.String() }), ...problemResponses(401, 403, 423, 429, 503) }
    })
  }, async (req, reply) => {
    await sendUnlockCode(s, sms, idOf(req), act(req))
    return await reply.code(202).send({ status: 'accepted' as const, message: SENT })
  })

  app.post('/admin/clients/:client_id/unlock', {
    config: { adminRole: 'ops' },
    schema: schema('unlockClient', 'Unlock a client with the SMS code the customer reads out (ops). Single use, 10 minutes, 5 tries per code, 10 consecutive failures freeze the client.', {
      params: ClientIdParam,
      body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false }),
      response: { 200: LockStateSchema, ...problemResponses(400, 401, 403, 422, 423, 503) }
    })
  }, async (req) => {
    await unlockWithCode(s, sms, idOf(req), (req.body as { code: string }).code, act(req))
    return await stateOf(s, idOf(req))
  })

  app.post('/admin/clients/:client_id/reset', {
    config: { adminRole: 'ops' },
    schema: schema('resetClientFreeze', 'Clear a freeze after too many wrong codes (ops, after checking the customer\'s identity). The lock stays until unlocked by code.', {
      params: ClientIdParam,
      response: { 200: LockStateSchema, ...problemResponses(401, 403, 404, 503) }
    })
  }, async (req) => {
    await resetFreezeByOps(s, idOf(req), act(req))
    return await stateOf(s, idOf(req))
  })
}
