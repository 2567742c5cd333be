/**
 * JSON:API plumbing of the Ponto sandbox: Ibanity error bodies with `ibanity-request-id`, and
 * cursor paging (`page[limit]` 1–100, default 10; `page[after]` / `page[before]`; newest first).
 */
import { randomUUID } from 'node:crypto'
import type { FastifyReply } from 'fastify'
import type { PontoResource } from '../normalize.js'

export function requestId (): string {
  return randomUUID().replace(/-/g, '').toUpperCase()
}

export function sendError (reply: FastifyReply, status: number, code: string, detail: string, meta: Record<string, unknown> = {}): FastifyReply {
  const id = requestId()
  return reply.code(status).header('ibanity-request-id', id).send({ errors: [{ code, detail, meta: { requestId: id, ...meta } }] })
}

export const invalidAccessToken = (reply: FastifyReply): FastifyReply => sendError(reply, 401, 'invalidAccessToken', 'Your access token is invalid.')
export const notFound = (reply: FastifyReply, resource: string): FastifyReply => sendError(reply, 404, 'resourceNotFound', `The requested ${resource} could not be found.`, { resource })

type Query = Record<string, string | string[] | undefined>

function one (q: Query, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = q[n]
    if (v !== undefined) return Array.isArray(v) ? v[0] : v
  }
  return undefined
}

export interface PageResult {
  data: PontoResource[]
  links: { first: string, next?: string, prev?: string }
  meta: { paging: { limit: number, before: string | null, after: string | null } }
}

/** Pages `rows` (already in list order) as Ibanity does, or returns the validation error to send. */
export function paginate<T extends { id: string, resource: PontoResource }> (rows: T[], query: Query, self: string): PageResult | { error: { code: string, detail: string, meta: Record<string, unknown> } } {
  const rawLimit = one(query, 'page[limit]', 'limit')
  const limit = rawLimit === undefined ? 10 : Number(rawLimit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return { error: { code: 'invalidPageLimit', detail: 'The page[limit] parameter must be an integer between 1 and 100.', meta: { parameter: 'page[limit]' } } }
  }
  const after = one(query, 'page[after]', 'after') ?? null
  const before = one(query, 'page[before]', 'before') ?? null
  let start = 0
  let end = Math.min(rows.length, limit)
  if (after !== null) {
    const i = rows.findIndex(r => r.id === after)
    if (i < 0) return { error: { code: 'invalidPageCursor', detail: 'The page[after] cursor does not match any resource of this list.', meta: { parameter: 'page[after]' } } }
    start = i + 1
    end = Math.min(rows.length, start + limit)
  } else if (before !== null) {
    const i = rows.findIndex(r => r.id === before)
    if (i < 0) return { error: { code: 'invalidPageCursor', detail: 'The page[before] cursor does not match any resource of this list.', meta: { parameter: 'page[before]' } } }
    end = i
    start = Math.max(0, end - limit)
  }
  const slice = rows.slice(start, end)
  const sep = self.includes('?') ? '&' : '?'
  const links: PageResult['links'] = { first: `${self}${sep}page[limit]=${limit}` }
  const last = slice[slice.length - 1]
  const firstRow = slice[0]
  if (last !== undefined && end < rows.length) links.next = `${self}${sep}page[limit]=${limit}&page[after]=${last.id}`
  if (firstRow !== undefined && start > 0) links.prev = `${self}${sep}page[limit]=${limit}&page[before]=${firstRow.id}`
  return { data: slice.map(r => r.resource), links, meta: { paging: { limit, before, after } } }
}
