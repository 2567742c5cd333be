/**
 * Ops: find a client, see it, and act on it through the admin API's own functions (lock, send an
 * unlock code, unlock with the customer's code, reset a freeze), so every action is audited with
 * the admin's `sub` and obeys the same code limits. Each action redirects back to the client page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import { ClientIdParam } from '../../schemas/admin.js'
import { sendUnlockCode, unlockWithCode } from '../../locks/unlock.js'
import { adminAct, lockByOps, resetFreezeByOps, UNLOCK_CODE_SENT, type LockScope } from '../../admin/actions.js'
import type { ConsoleContext } from '../context.js'
import { loadClientView } from '../client-view.js'
import { clientPage, unknownClientPage } from '../pages/client.js'
import { homePage } from '../pages/home.js'
import { viewerOf } from '../guard.js'

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/

/** What the client page says after an action (a fixed text per outcome; nothing from the URL is echoed). */
const DONE: Record<string, string> = {
  locked: 'Locked. Every proxy call of this client is refused until it is unlocked.',
  code_sent: UNLOCK_CODE_SENT,
  unlocked: 'Unlocked. The client\'s proxy calls are served again.',
  reset: 'Freeze cleared. The lock stays until the customer reads out a new code.'
}

const Csrf = { csrf: Type.String() }
const strict = { additionalProperties: false }
const idOf = (req: FastifyRequest): string => (req.params as { client_id: string }).client_id
const backTo = async (reply: FastifyReply, clientId: string, done: keyof typeof DONE): Promise<FastifyReply> =>
  await reply.redirect(`/console/clients/${encodeURIComponent(clientId)}?done=${done}`, 303)

export async function clientRoutes (app: FastifyInstance, { s, sms }: ConsoleContext): Promise<void> {
  const ops = { adminRole: 'ops' as const }

  app.get('/clients', { schema: { querystring: Type.Object({ client_id: Type.Optional(Type.String({ maxLength: 200 })) }) } }, async (req, reply) => {
    const clientId = ((req.query as { client_id?: string }).client_id ?? '').trim()
    if (CLIENT_ID.test(clientId)) return await reply.redirect(`/console/clients/${clientId}`, 303)
    return await reply.code(400).type('text/html; charset=utf-8').send(homePage(viewerOf(req), { clientId, message: 'A client id has 1 to 64 letters, digits, "_" or "-" (it starts with cl_).' }))
  })

  app.get('/clients/:client_id', { schema: { params: ClientIdParam, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }) } }, async (req, reply) => {
    const viewer = viewerOf(req)
    const done = (req.query as { done?: string }).done
    reply.type('text/html; charset=utf-8')
    try {
      const view = await loadClientView(s, idOf(req))
      return await reply.send(clientPage(viewer, view, done !== undefined && Object.hasOwn(DONE, done) ? DONE[done] as string : null))
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'BSB_ADMIN_NOT_FOUND')) throw err
      return await reply.code(404).send(unknownClientPage(viewer, idOf(req), 'No client with this id. Client records are kept until 30 days after their refresh token expires.'))
    }
  })

  app.post('/clients/:client_id/lock', {
    config: ops,
    schema: { params: ClientIdParam, body: Type.Object({ ...Csrf, reason: Type.String({ minLength: 3, maxLength: 200 }), scope: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('database')])) }, strict) }
  }, async (req, reply) => {
    const body = req.body as { reason: string, scope?: LockScope }
    await lockByOps(s, idOf(req), body.reason, body.scope ?? 'client', adminAct(req))
    return await backTo(reply, idOf(req), 'locked')
  })

  app.post('/clients/:client_id/unlock-code', { config: ops, schema: { params: ClientIdParam, body: Type.Object(Csrf, strict) } }, async (req, reply) => {
    await sendUnlockCode(s, sms, idOf(req), adminAct(req))
    return await backTo(reply, idOf(req), 'code_sent')
  })

  app.post('/clients/:client_id/unlock', {
    config: ops,
    schema: { params: ClientIdParam, body: Type.Object({ ...Csrf, code: Type.String({ minLength: 1, maxLength: 16 }) }, strict) }
  }, async (req, reply) => {
    await unlockWithCode(s, sms, idOf(req), (req.body as { code: string }).code, adminAct(req))
    return await backTo(reply, idOf(req), 'unlocked')
  })

  app.post('/clients/:client_id/reset', { config: ops, schema: { params: ClientIdParam, body: Type.Object(Csrf, strict) } }, async (req, reply) => {
    await resetFreezeByOps(s, idOf(req), adminAct(req))
    return await backTo(reply, idOf(req), 'reset')
  })
}
