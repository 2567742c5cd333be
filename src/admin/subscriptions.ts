/** Admin: provision and read database subscriptions. */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { EDITIONS, type Edition } from '../store/subscriptions.js'
import { ADMIN_SECURITY, DbUuidParam, problemResponses } from '../schemas/admin.js'

const SubscriptionSchema = Type.Object({
  db_uuid: Type.String(),
  edition: Type.Union(EDITIONS.map(e => Type.Literal(e))),
  expires_on: Type.String({ format: 'date' }),
  updated_at: Type.String(),
  updated_by: Type.String()
})

export async function subscriptionRoutes (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services

  app.put('/admin/subscriptions/:db_uuid', {
    config: { adminRole: 'ops' },
    schema: {
      summary: 'Create or replace the subscription of a database (ops).',
      tags: ['admin'],
      operationId: 'setSubscription',
      security: ADMIN_SECURITY,
      params: DbUuidParam,
      body: Type.Object({ edition: Type.Union(EDITIONS.map(e => Type.Literal(e))), expires_on: Type.String({ format: 'date', description: 'Last covered day, YYYY-MM-DD' }) }, { additionalProperties: false }),
      response: { 200: SubscriptionSchema, ...problemResponses(400, 401, 403) }
    }
  }, async (req) => {
    const { db_uuid: dbUuid } = req.params as { db_uuid: string }
    const body = req.body as { edition: Edition, expires_on: string }
    const sub = await s.subscriptions.set(dbUuid, body.edition, body.expires_on, (req.admin as { subject: string }).subject)
    await s.audit.record({ type: 'subscription_set', actor: `admin:${sub.updatedBy}`, dbUuid, ip: req.ip, detail: `${sub.edition} until ${sub.expiresOn}` })
    return { db_uuid: dbUuid, edition: sub.edition, expires_on: sub.expiresOn, updated_at: sub.updatedAt, updated_by: sub.updatedBy }
  })

  app.get('/admin/subscriptions/:db_uuid', {
    schema: {
      summary: 'Read the subscription of a database.',
      tags: ['admin'],
      operationId: 'getSubscription',
      security: ADMIN_SECURITY,
      params: DbUuidParam,
      response: { 200: SubscriptionSchema, ...problemResponses(401, 404) }
    }
  }, async (req) => {
    const { db_uuid: dbUuid } = req.params as { db_uuid: string }
    const sub = await s.subscriptions.get(dbUuid)
    if (sub === null) throw new AppError('BSB_ADMIN_NOT_FOUND', { detail: 'no subscription for this database' })
    return { db_uuid: dbUuid, edition: sub.edition, expires_on: sub.expiresOn, updated_at: sub.updatedAt, updated_by: sub.updatedBy }
  })
}
