/**
 * The Ponto sandbox's OAuth2 side: the hosted authorization page (Approve / Deny, one-time code
 * for the MFA bank) that redirects like Ory Hydra does, the token endpoint (Basic client auth,
 * PKCE S256 check, rotating refresh tokens), revocation, userinfo and onboarding details.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { SANDBOX_MFA_CODE } from '../../sandbox-kit/banks.js'
import { escapeHtml, renderConsentPage } from '../../sandbox-kit/consent-page.js'
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../sandbox-keys.js'
import type { SandboxContext } from './context.js'
import { uuidFrom } from './data.js'
import { invalidAccessToken, requestId, sendError } from './jsonapi.js'
import { AUTH_REQUEST_TTL_MS, CODE_TTL_MS, CONSENT_DAYS, grantOf, isClientToken, issueTokens, opaqueToken } from './state.js'

type Form = Record<string, string | undefined>

function htmlError (reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ponto sandbox error</title></head><body><main><h1>Authorization error</h1><p>${escapeHtml(text)}</p></main></body></html>`)
}

function redirectTo (reply: FastifyReply, redirectUri: string, params: Record<string, string | null>): FastifyReply {
  const url = new URL(redirectUri)
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v)
  return reply.code(302).header('location', url.toString()).send()
}

function clientOk (authorization: string | undefined): boolean {
  const m = /^Basic (.+)$/i.exec(authorization ?? '')
  if (m === null) return false
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8')
  const i = decoded.indexOf(':')
  if (i < 0) return false
  try {
    return decodeURIComponent(decoded.slice(0, i)) === SANDBOX_CLIENT_ID && decodeURIComponent(decoded.slice(i + 1)) === SANDBOX_CLIENT_SECRET
  } catch { return false }
}

function oauthError (reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).header('ibanity-request-id', requestId()).send({ error, error_description: description })
}

const INVALID_GRANT = 'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.'

export function oauthRoutes (app: FastifyInstance, ctx: SandboxContext): void {
  const { state, catalog, now } = ctx

  app.get('/oauth2/auth', async (request, reply) => {
    const q = request.query as Form
    if (q.client_id !== SANDBOX_CLIENT_ID) return htmlError(reply, 400, 'The OAuth2 client is unknown (invalid_client).')
    let redirect: URL
    try { redirect = new URL(q.redirect_uri ?? '') } catch { return htmlError(reply, 400, 'The redirect_uri is not a valid absolute URL.') }
    if (redirect.protocol !== 'https:' && redirect.protocol !== 'http:') return htmlError(reply, 400, 'The redirect_uri must use http or https.')
    const back = (error: string, description: string) => redirectTo(reply, redirect.toString(), { error, error_description: description, state: q.state ?? null })
    if (q.response_type !== 'code') return back('unsupported_response_type', 'The authorization server does not support obtaining a token using this method.')
    if (q.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge ?? '')) return back('invalid_request', 'Clients must include a code_challenge when performing the authorize code flow (S256).')
    if (!(q.scope ?? '').split(' ').includes('ai')) return back('invalid_scope', 'The requested scope is invalid, unknown, or malformed.')
    const onboarding = q.onboarding_details_id !== undefined ? state.onboarding.get(q.onboarding_details_id) : undefined
    const institution = catalog.institution(onboarding?.institutionId ?? '') ?? catalog.institutions[0]
    if (institution === undefined) return htmlError(reply, 500, 'No sandbox bank.')
    const id = randomUUID()
    state.authRequests.set(id, { clientId: q.client_id, redirectUri: redirect.toString(), state: q.state ?? null, challenge: q.code_challenge as string, scope: q.scope as string, institutionId: institution.id, createdAt: now() })
    return reply.type('text/html; charset=utf-8').send(renderConsentPage({ providerName: 'Ponto', bankName: institution.bank.name, action: `${ctx.baseUrl}/oauth2/auth/decision`, hidden: { request: id }, mfa: institution.bank.mfa }))
  })

  app.post('/oauth2/auth/decision', async (request, reply) => {
    const form = (request.body ?? {}) as Form
    const auth = state.authRequests.get(form.request ?? '')
    if (auth === undefined || now() - auth.createdAt > AUTH_REQUEST_TTL_MS) return htmlError(reply, 400, 'This authorization request is unknown or has expired. Start again from your software.')
    if (form.decision === 'deny') {
      state.authRequests.delete(form.request as string)
      return redirectTo(reply, auth.redirectUri, { error: 'access_denied', error_description: 'The resource owner or authorization server denied the request.', state: auth.state })
    }
    if (form.decision !== 'approve') return htmlError(reply, 400, 'Choose Approve or Deny.')
    const institution = catalog.institution(auth.institutionId)
    if (institution?.bank.mfa === true && form.otp?.trim() !== SANDBOX_MFA_CODE) {
      return reply.code(200).type('text/html; charset=utf-8').send(renderConsentPage({ providerName: 'Ponto', bankName: institution.bank.name, action: `${ctx.baseUrl}/oauth2/auth/decision`, hidden: { request: form.request as string }, mfa: true, error: 'The one-time code is not valid. Try again.' }))
    }
    state.authRequests.delete(form.request as string)
    const code = opaqueToken()
    state.codes.set(code, { request: auth, expiresAt: now() + CODE_TTL_MS, used: false })
    return redirectTo(reply, auth.redirectUri, { code, scope: auth.scope, state: auth.state })
  })

  app.post('/ponto-connect/oauth2/token', async (request, reply) => {
    if (!clientOk(request.headers.authorization)) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).')
    const form = (request.body ?? {}) as Form
    if (form.grant_type === 'client_credentials') return reply.header('ibanity-request-id', requestId()).send(issueTokens(state, null, now()))
    if (form.grant_type === 'authorization_code') {
      const record = state.codes.get(form.code ?? '')
      if (record === undefined || record.used || record.expiresAt <= now() || record.request.redirectUri !== form.redirect_uri) return oauthError(reply, 400, 'invalid_grant', INVALID_GRANT)
      record.used = true
      const challenge = createHash('sha256').update(form.code_verifier ?? '').digest('base64url')
      if (challenge !== record.request.challenge) return oauthError(reply, 400, 'invalid_grant', 'The PKCE code challenge did not match the code verifier.')
      const institutionId = record.request.institutionId
      const accountIds = catalog.accountsOf(institutionId).map(a => a.id)
      for (const id of accountIds) state.authorizations.set(id, { authorizedAt: now(), expiresAt: now() + CONSENT_DAYS * 86_400_000 })
      const grant = { id: randomUUID(), institutionId, organizationId: uuidFrom(ctx.opts.seed, 'organization', institutionId), accountIds, revoked: false }
      state.grants.set(grant.id, grant)
      return reply.header('ibanity-request-id', requestId()).send(issueTokens(state, grant.id, now()))
    }
    if (form.grant_type === 'refresh_token') {
      const grantId = state.refreshTokens.get(form.refresh_token ?? '')
      const grant = grantId === undefined ? undefined : state.grants.get(grantId)
      if (grant === undefined || grant.revoked) return oauthError(reply, 400, 'invalid_grant', INVALID_GRANT)
      state.refreshTokens.delete(form.refresh_token as string)
      return reply.header('ibanity-request-id', requestId()).send(issueTokens(state, grant.id, now()))
    }
    return oauthError(reply, 400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.')
  })

  app.post('/ponto-connect/oauth2/revoke', async (request, reply) => {
    if (!clientOk(request.headers.authorization)) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).')
    const token = ((request.body ?? {}) as Form).token ?? ''
    const grantId = state.refreshTokens.get(token) ?? state.accessTokens.get(token)?.grantId ?? null
    const grant = grantId === null ? undefined : state.grants.get(grantId)
    if (grant !== undefined) grant.revoked = true
    state.refreshTokens.delete(token)
    state.accessTokens.delete(token)
    return reply.code(200).header('ibanity-request-id', requestId()).send()
  })

  app.get('/ponto-connect/userinfo', async (request, reply) => {
    const grant = grantOf(state, request.headers.authorization, now())
    if (grant === null) return invalidAccessToken(reply)
    return reply.send({ sub: grant.organizationId, name: 'Sandbox Company' })
  })

  app.post('/ponto-connect/onboarding-details', async (request, reply) => {
    if (!isClientToken(state, request.headers.authorization, now())) return invalidAccessToken(reply)
    const attributes = ((request.body as { data?: { attributes?: Record<string, unknown> } } | null)?.data?.attributes ?? {})
    const institutionId = typeof attributes.initialFinancialInstitutionId === 'string' ? attributes.initialFinancialInstitutionId : ''
    if (catalog.institution(institutionId) === undefined) return sendError(reply, 400, 'invalidAttribute', 'initialFinancialInstitutionId must be the id of a financial institution.', { attribute: 'initialFinancialInstitutionId' })
    const id = randomUUID()
    const email = typeof attributes.email === 'string' ? attributes.email : null
    state.onboarding.set(id, { institutionId, email })
    return reply.code(201).send({ data: { type: 'onboardingDetails', id, attributes: { initialFinancialInstitutionId: institutionId, ...(email !== null ? { email } : {}) } } })
  })
}
