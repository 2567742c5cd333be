/** The institution search page (GET form: works without a script, and the URL can be shared within the session). */
import type { FastifyInstance } from 'fastify'
import { field, providerName, sessionOf, type LinkContext } from '../context.js'
import { sendPage } from '../html.js'
import { langOf } from '../i18n.js'
import { searchPage } from '../pages/search.js'
import { nextStep, stepPath } from '../flow.js'
import { sessionPath } from '../session.js'

const RESULTS = 30

export async function searchRoutes (app: FastifyInstance, ctx: LinkContext): Promise<void> {
  const { s } = ctx
  app.get('/s/:sid/search', async (req, reply) => {
    const session = await sessionOf(ctx, req)
    const step = await nextStep(s, session)
    if (step === 'reactivate' || step === 'phone' || step === 'done') return reply.redirect(await stepPath(s, session), 303)
    // Reconnecting keeps the link's own bank.
    if (session.mode !== 'link' && session.choice !== null) return reply.redirect(sessionPath(session, 'consent'), 303)
    const index = await ctx.catalogue.index()
    const countries = index.countries()
    const asked = field(req.query, 'country').toUpperCase()
    const country = countries.includes(asked) ? asked : countries.includes(session.country ?? '') ? session.country as string : (countries[0] ?? 'BE')
    const query = field(req.query, 'q').slice(0, 100)
    const results = index.search(query, { country, limit: RESULTS })
    return sendPage(reply, searchPage({ session, lang: langOf(session.lang), query, country, countries, results, providerName: id => providerName(s, id) }))
  })
}
