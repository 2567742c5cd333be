/** Shared admin schemas: the problem+json body, path params, the bearer security requirement. */
import { Type, type TSchema } from 'typebox'
import { ERROR_CODES } from '../errors.js'

export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.String(),
  code: Type.Union(ERROR_CODES.map(c => Type.Literal(c))),
  reference: Type.String({ description: 'Error reference for support (GET /admin/errors/{reference}).' })
}, { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' })

export const ADMIN_SECURITY = [{ bearerAuth: [] }]

export const DbUuidParam = Type.Object({ db_uuid: Type.String({ pattern: '^[A-Za-z0-9-]{8,64}$' }) })
export const ClientIdParam = Type.Object({ client_id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) })
export const ReferenceParam = Type.Object({ reference: Type.String({ maxLength: 64 }) })

export function problemResponses (...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {}
  for (const s of statuses) out[s] = Type.Ref('Problem')
  return out
}
