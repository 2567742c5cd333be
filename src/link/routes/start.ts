/**
 * Opening the pop-up: `POST /link/start` (the OdooFin script's form, Odoo's params as JSON in
 * `params`) or `GET /link/start?db_uuid=…` (no script). Checks the subscription and, for the
 * reconnect modes, the client's access token; then creates the session and redirects into it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../errors.js'
import { readLink } from '../store.js'
import { field, sessionOf, useErrorPage, type LinkContext } from '../context.js'
import { langOf } from '../i18n.js'
import { parseQueryParams, parseStartParams, type StartParams } from '../params.js'
import { verifyClient } from '../client-check.js'
import { createSession, saveSession } from '../session.js'
import { currentLinkResult, institutionOfLink } from '../finish.js'
import { institutionOfRef } from './consent.js'
import { stepPath } from '../flow.js'
import { accountsOfferedTo } from '../existing-accounts.js'

async function begin (ctx: LinkContext, req: FastifyRequest, reply: FastifyReply, p: StartParams): Promise<FastifyReply> {
  const { s } = ctx
  useErrorPage(req, langOf(p.lang), p.hostOrigin)
  let dbUuid = p.dbUuid
  let clientId: string | null = null
  if (p.mode !== 'link') {
    if (p.clientId === null || p.accessToken === null) throw new AppError('BSB_LINK_CLIENT_INVALID', { detail: `mode ${p.mode} opened without clientId/accessToken` })
    dbUuid = await verifyClient(s, p.clientId, p.accessToken, p.dbUuid)
    clientId = p.clientId
  }
  if (dbUuid === null) throw new AppError('BSB_INVALID_REQUEST', { detail: 'link pop-up opened without includeParam.dbUuid' })
  req.bsb.dbUuid = dbUuid
  req.bsb.clientId = clientId
  await s.subscriptions.assertEntitled(dbUuid)
  const session = await createSession(s, {
    dbUuid, mode: p.mode, lang: p.lang, country: p.country, hostOrigin: p.hostOrigin, clientId,
    phoneHint: p.phoneHint, userEmail: p.userEmail, clickedInstitution: p.clickedInstitution, serverVersion: p.serverVersion
  })
  if (clientId !== null) {
    session.choice = institutionOfLink(await readLink(s, dbUuid, clientId))
    if (p.mode === 'none') session.result = await currentLinkResult(s, session)
  } else if (p.clickedInstitution !== null) {
    const entry = await ctx.catalogue.byRef(p.clickedInstitution)
    if (entry !== undefined) session.choice = institutionOfRef(entry, p.clickedInstitution)
  } else if (p.recordAccessToken !== null) {
    // A bank clicked on the dashboard means a new connection; otherwise offer the granted accounts first.
    session.existing = await accountsOfferedTo(s, dbUuid, p.recordAccessToken)
  }
  session.journalType = p.journalType
  await saveSession(s, session)
  req.log.info({ session: session.id.slice(0, 6), mode: p.mode }, 'link session started')
  return reply.redirect(await stepPath(s, session), 303)
}

export async function startRoutes (app: FastifyInstance, ctx: LinkContext): Promise<void> {
  app.post('/start', async (req, reply) => {
    let raw: unknown = {}
    try {
      raw = JSON.parse(field(req.body, 'params') || '{}')
    } catch {
      throw new AppError('BSB_INVALID_REQUEST', { detail: 'link start params are not JSON' })
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('BSB_INVALID_REQUEST', { detail: 'link start params must be an object' })
    return await begin(ctx, req, reply, parseStartParams(raw as Record<string, unknown>))
  })
  app.get('/start', async (req, reply) => await begin(ctx, req, reply, parseQueryParams(req.query as Record<string, unknown>)))
  app.get('/s/:sid', async (req, reply) => {
    const session = await sessionOf(ctx, req)
    return reply.redirect(await stepPath(ctx.s, session), 303)
  })
}
