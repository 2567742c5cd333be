/** The result page of a finished session. */
import type { FastifyInstance } from 'fastify'
import { sessionOf, type LinkContext } from '../context.js'
import { sendPage } from '../html.js'
import { langOf } from '../i18n.js'
import { donePage } from '../pages/done.js'
import { stepPath } from '../flow.js'
import { needsReactivation } from '../reactivation.js'

export async function doneRoutes (app: FastifyInstance, ctx: LinkContext): Promise<void> {
  app.get('/s/:sid/done', async (req, reply) => {
    const session = await sessionOf(ctx, req)
    if (session.result === null || await needsReactivation(ctx.s, session)) return reply.redirect(await stepPath(ctx.s, session), 303)
    return sendPage(reply, donePage(session, langOf(session.lang)))
  })
}
