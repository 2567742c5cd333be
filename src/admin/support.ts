/** Support: error records by reference, a client's recent errors, and a client overview. */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { ADMIN_SECURITY, ClientIdParam, problemResponses, ReferenceParam } from '../schemas/admin.js'
import type { ErrorRecord } from '../support/references.js'

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

export const ErrorRecordSchema = Type.Object({
  reference: Type.String(),
  time: Type.String(),
  code: Type.String(),
  odoo_code: Type.Integer(),
  surface: Type.String(),
  endpoint: Type.String(),
  client_id: Nullable(Type.String()),
  db_uuid: Nullable(Type.String()),
  provider: Nullable(Type.String()),
  provider_code: Nullable(Type.String()),
  provider_request_id: Nullable(Type.String()),
  user_message: Type.String({ description: 'What the user was told.' }),
  detail: Type.String({ description: 'Internal detail.' }),
  next_step: Type.String({ description: 'What support should do next.' }),
  request_id: Type.String()
})

const AuditSchema = Type.Object({ id: Type.String(), time: Type.String(), type: Type.String(), actor: Type.String(), detail: Type.Optional(Type.String()), ip: Type.Optional(Nullable(Type.String())) })

export const ClientOverviewSchema = Type.Object({
  client_id: Type.String(),
  db_uuid: Type.String(),
  created_at: Type.String(),
  subscription: Type.Union([Type.Null(), Type.Object({ edition: Type.String(), expires_on: Type.String() })]),
  locked: Type.Boolean(),
  frozen: Type.Boolean(),
  lock_reason: Nullable(Type.String()),
  locked_at: Nullable(Type.String()),
  recent_events: Type.Array(AuditSchema),
  recent_errors: Type.Array(ErrorRecordSchema)
}, { additionalProperties: true })

export async function supportRoutes (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services

  app.get('/admin/errors/:reference', {
    schema: { summary: 'Everything support needs about one error reference.', tags: ['support'], operationId: 'getError', security: ADMIN_SECURITY, params: ReferenceParam, response: { 200: ErrorRecordSchema, ...problemResponses(401, 404) } }
  }, async (req) => {
    const rec = await s.errors.get((req.params as { reference: string }).reference)
    if (rec === null) throw new AppError('BSB_ADMIN_NOT_FOUND', { detail: 'unknown or expired reference (records are kept 90 days)' })
    return rec
  })

  app.get('/admin/clients/:client_id/errors', {
    schema: { summary: 'A client\'s recent errors, newest first.', tags: ['support'], operationId: 'listClientErrors', security: ADMIN_SECURITY, params: ClientIdParam, querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: 'How many, newest first (1–500, default 50).' })) }), response: { 200: Type.Object({ errors: Type.Array(ErrorRecordSchema) }), ...problemResponses(401) } }
  }, async (req) => {
    const { client_id: clientId } = req.params as { client_id: string }
    return { errors: await s.errors.listForClient(clientId, Math.min(500, Number((req.query as { limit?: string }).limit ?? 50))) }
  })

  app.get('/admin/clients/:client_id', {
    schema: { summary: 'A client: database, subscription, lock, recent security events and errors.', tags: ['support'], operationId: 'getClient', security: ADMIN_SECURITY, params: ClientIdParam, response: { 200: ClientOverviewSchema, ...problemResponses(401, 404) } }
  }, async (req) => {
    const { client_id: clientId } = req.params as { client_id: string }
    return await clientOverview(s, clientId)
  })
}

export interface ClientOverview {
  client_id: string
  db_uuid: string
  created_at: string
  subscription: { edition: string, expires_on: string } | null
  locked: boolean
  frozen: boolean
  lock_reason: string | null
  locked_at: string | null
  recent_events: Array<{ id: string, time: string, type: string, actor: string, detail?: string, ip?: string | null }>
  recent_errors: ErrorRecord[]
}

export async function clientOverview (s: Services, clientId: string): Promise<ClientOverview> {
  const dbUuid = await s.clients.ownerOf(clientId)
  const client = dbUuid === null ? null : await s.clients.get(dbUuid, clientId)
  if (dbUuid === null || client === null) throw new AppError('BSB_ADMIN_NOT_FOUND', { detail: 'unknown client id' })
  const sub = await s.subscriptions.get(dbUuid)
  const events = await s.audit.forClient(clientId, 20)
  const errors: ErrorRecord[] = await s.errors.listForClient(clientId, 20)
  return {
    client_id: clientId,
    db_uuid: dbUuid,
    created_at: new Date(client.createdAt).toISOString(),
    subscription: sub === null ? null : { edition: sub.edition, expires_on: sub.expiresOn },
    locked: client.locked,
    frozen: client.frozen,
    lock_reason: client.lockReason,
    locked_at: client.lockedAt === null ? null : new Date(client.lockedAt).toISOString(),
    recent_events: events.map(e => ({ id: e.id, time: e.time, type: e.type, actor: e.actor, detail: e.detail, ip: e.ip })),
    recent_errors: errors
  }
}
