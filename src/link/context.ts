/** What every link route shares: the services, the catalogue, the SMS port, and the per-request session helpers. */
import type { FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import type { Catalogue } from '../catalogue/service.js'
import type { SmsVerifier } from '../sms/verify.js'
import { langOf, type Lang } from './i18n.js'
import { loadSession, type LinkSession } from './session.js'
import { errorPage } from './pages/error.js'

export interface LinkContext {
  s: Services
  catalogue: Catalogue
  sms: SmsVerifier
}

/** From here on, a failure renders the error page in the session's language. */
export function useErrorPage (req: FastifyRequest, lang: Lang, hostOrigin: string | null): void {
  req.bsb.renderErrorPage = (err, reference) => errorPage(err, reference, lang, hostOrigin)
}

export async function sessionOf (ctx: LinkContext, req: FastifyRequest): Promise<LinkSession> {
  const session = await loadSession(ctx.s, (req.params as { sid?: string }).sid ?? '')
  req.bsb.dbUuid = session.dbUuid
  req.bsb.clientId = session.clientId
  useErrorPage(req, langOf(session.lang), session.hostOrigin)
  return session
}

/** One form or query field as a string ('' when absent; the last one when repeated). */
export function field (source: unknown, name: string): string {
  const v = (source as Record<string, unknown> | null | undefined)?.[name]
  const one = Array.isArray(v) ? v[v.length - 1] : v
  return typeof one === 'string' ? one : ''
}

export function providerName (s: Services, id: string): string {
  return s.providers.get(id)?.adapter.displayName ?? id
}
