/** Support: an error reference, looked up like GET /admin/errors/{reference}. */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { ConsoleContext } from '../context.js'
import { errorRecordPage, unknownReferencePage } from '../pages/error-record.js'
import { viewerOf } from '../guard.js'

export async function errorRoutes (app: FastifyInstance, { s }: ConsoleContext): Promise<void> {
  app.get('/errors', { schema: { querystring: Type.Object({ reference: Type.Optional(Type.String({ maxLength: 64 })) }) } }, async (req, reply) => {
    const reference = ((req.query as { reference?: string }).reference ?? '').trim()
    if (reference === '') return await reply.redirect('/console', 303)
    const record = await s.errors.get(reference)
    reply.type('text/html; charset=utf-8')
    if (record === null) return await reply.code(404).send(unknownReferencePage(viewerOf(req), reference))
    return await reply.send(errorRecordPage(viewerOf(req), record))
  })
}
