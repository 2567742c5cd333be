/**
 * Odoo's accounting dashboard institutions (odoo-protocol.md §5): unsigned, 18.0 POSTs
 * `{country, limit}` and reads the envelope's `result` as a LIST; 19.0 GETs the bare list.
 * Each `id` comes back as `includeParam.clickedInstitution` and preselects that bank.
 */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { resultEnvelope } from '../protocol/envelope.js'
import { envelope } from '../schemas/proxy.js'
import type { Catalogue } from './service.js'
import type { CatalogueEntry } from './dedup.js'

export const DEFAULT_PICTURE = '/link/assets/bank.svg'
const DEFAULT_LIMIT = 28
const MAX_LIMIT = 100
const COUNTRY = /^[A-Za-z]{2}$/

export interface DashboardInstitution { id: string, name: string, picture: string }

const Institution = Type.Object({
  id: Type.String({ description: 'Pass back as includeParam.clickedInstitution.' }),
  name: Type.String(),
  picture: Type.String({ description: 'Absolute https URL, or a path starting with / on this server.' })
})

export function toDashboard (e: CatalogueEntry): DashboardInstitution {
  return { id: e.ref, name: e.name, picture: e.logoUrl !== null && e.logoUrl.startsWith('https://') ? e.logoUrl : DEFAULT_PICTURE }
}

function clampLimit (raw: unknown): number {
  const n = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : typeof raw === 'number' && Number.isInteger(raw) ? raw : DEFAULT_LIMIT
  return Math.min(Math.max(n, 1), MAX_LIMIT)
}

async function listFor (catalogue: Catalogue, country: unknown, limit: unknown): Promise<DashboardInstitution[]> {
  if (typeof country !== 'string' || !COUNTRY.test(country)) return []
  return (await catalogue.index()).top(country.toUpperCase(), clampLimit(limit)).map(toDashboard)
}

export async function dashboardRoutes (app: FastifyInstance, opts: { catalogue: Catalogue }): Promise<void> {
  app.post('/proxy/v1/get_dashboard_institutions', {
    schema: {
      summary: 'Institutions for the accounting dashboard (Odoo 18, unsigned): the envelope\'s result is a list.',
      tags: ['odoo'],
      operationId: 'getDashboardInstitutionsV1',
      body: Type.Object({ country: Type.Optional(Type.String({ maxLength: 8 })), limit: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: true }),
      response: { 200: envelope(Type.Array(Institution)) }
    }
  }, async (req) => {
    const body = req.body as { country?: unknown, limit?: unknown }
    return resultEnvelope(await listFor(opts.catalogue, body.country, body.limit))
  })

  app.get('/proxy/v2/get_dashboard_institutions', {
    schema: {
      summary: 'Institutions for the accounting dashboard (Odoo 19, unsigned): a bare JSON list.',
      tags: ['odoo'],
      operationId: 'getDashboardInstitutionsV2',
      querystring: Type.Object({ country: Type.Optional(Type.String({ maxLength: 8 })), limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })) }, { additionalProperties: true }),
      response: { 200: Type.Array(Institution) }
    }
  }, async (req) => {
    const q = req.query as { country?: unknown, limit?: unknown }
    return await listFor(opts.catalogue, q.country, q.limit)
  })
}
