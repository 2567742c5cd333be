/**
 * The "existing account" step: GET lists the granted accounts, POST (CSRF) either ends the flow
 * with the chosen account (the result page posts `connect_existing_account`) or, with "Add a new
 * bank", drops the list and goes on to the search.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { field, sessionOf, type LinkContext } from '../context.js'
import { sendPage } from '../html.js'
import { langOf } from '../i18n.js'
import { existingPage } from '../pages/existing.js'
import { nextStep, stepPath } from '../flow.js'
import { checkCsrf, saveSession, sessionPath, type ConnectExistingData, type LinkSession } from '../session.js'
import type { ExistingAccount } from '../existing-accounts.js'

export function connectExistingData (account: ExistingAccount, journalType: LinkSession['journalType']): ConnectExistingData {
  const data: ConnectExistingData = { client_id: account.clientId, online_identifier: account.accountId }
  if (journalType !== undefined && journalType !== null) data.journal_type = journalType
  return data
}

export async function existingRoutes (app: FastifyInstance, ctx: LinkContext): Promise<void> {
  const { s } = ctx

  async function atExistingStep (req: FastifyRequest, reply: FastifyReply): Promise<LinkSession | null> {
    const session = await sessionOf(ctx, req)
    if (await nextStep(s, session) === 'existing') return session
    await reply.redirect(await stepPath(s, session), 303)
    return null
  }

  app.get('/s/:sid/existing', async (req, reply) => {
    const session = await atExistingStep(req, reply)
    if (session === null) return reply
    return sendPage(reply, existingPage(session, langOf(session.lang)))
  })

  app.post('/s/:sid/existing', async (req, reply) => {
    const session = await atExistingStep(req, reply)
    if (session === null) return reply
    checkCsrf(session, field(req.body, 'csrf'))
    if (field(req.body, 'new') === 'yes') {
      session.existing = []
      await saveSession(s, session)
      return reply.redirect(sessionPath(session, 'search'), 303)
    }
    const index = field(req.body, 'account')
    const account = /^\d{1,4}$/.test(index) ? session.existing?.[Number(index)] : undefined
    if (account === undefined) return reply.redirect(sessionPath(session, 'existing'), 303)
    session.result = { exchangeToken: null, success: {}, connectExisting: connectExistingData(account, session.journalType) }
    await saveSession(s, session)
    await s.audit.record({ type: 'existing_account_chosen', actor: 'user', clientId: account.clientId, dbUuid: session.dbUuid, detail: `${account.bank} ${account.name}`.slice(0, 200) })
    return reply.redirect(sessionPath(session, 'done'), 303)
  })
}
