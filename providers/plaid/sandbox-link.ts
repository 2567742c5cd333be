/** Link in the sandbox: `/link/token/create|get`, the token exchange, and `/sandbox/public_token/create`. */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { invalidRequest, plaidFail } from './sandbox-errors.js'
import { institutionById, type SandboxInstitution } from './sandbox-data.js'
import { bodyOf, requireItem, requireString, type Body } from './sandbox-guards.js'
import { CREATE_LINK_TOKEN_TTL_MS, UPDATE_LINK_TOKEN_TTL_MS, type LinkTokenRecord, type SandboxItem, type SandboxState } from './sandbox-state.js'
import { accountJson } from './sandbox-ledger.js'

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function absoluteHttpUrl (v: unknown, field: string): string {
  try {
    const u = new URL(String(v))
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString()
  } catch {}
  throw invalidRequest('INVALID_FIELD', `${field} must be an absolute http(s) URL`)
}

/** Plaid's `transactions.days_requested`: 1-730, default 90. */
function daysRequestedOf (transactions: unknown): number {
  const days = (transactions as Body | undefined)?.days_requested
  if (days === undefined || days === null) return 90
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 730) throw invalidRequest('INVALID_FIELD', 'transactions.days_requested must be an integer between 1 and 730')
  return days
}

function linkTokenCreate (state: SandboxState, body: Body): Record<string, unknown> {
  const user = (body.user ?? {}) as Body
  const countries = Array.isArray(body.country_codes) ? body.country_codes : []
  const missing = [
    body.client_name === undefined ? 'client_name' : null,
    body.language === undefined ? 'language' : null,
    countries.length === 0 ? 'country_codes' : null,
    typeof user.client_user_id !== 'string' || user.client_user_id === '' ? 'user.client_user_id' : null
  ].filter(Boolean)
  if (missing.length > 0) throw invalidRequest('MISSING_FIELDS', `the following required fields are missing: ${missing.join(', ')}`)
  let updateItem: SandboxItem | null = null
  let institution: SandboxInstitution | undefined
  if (body.access_token !== undefined) {
    updateItem = requireItem(state, body, { data: false })
    institution = updateItem.institution
  } else {
    if (!Array.isArray(body.products) || body.products.length === 0) throw invalidRequest('MISSING_FIELDS', 'the following required fields are missing: products')
    if (body.institution_id === undefined) throw invalidRequest('INVALID_FIELD', 'institution_id is required by this sandbox (it has no institution picker)')
    institution = institutionById(body.institution_id)
    if (institution === undefined || !countries.includes(institution.country)) throw plaidFail('INVALID_INSTITUTION')
  }
  const daysRequested = daysRequestedOf(body.transactions)
  const hosted = body.hosted_link !== undefined && body.hosted_link !== null ? body.hosted_link as Body : null
  const completionUri = hosted?.completion_redirect_uri === undefined ? '' : absoluteHttpUrl(hosted.completion_redirect_uri, 'hosted_link.completion_redirect_uri')
  const webhook = body.webhook === undefined || body.webhook === null || body.webhook === '' ? null : absoluteHttpUrl(body.webhook, 'webhook')
  const lifetime = typeof hosted?.url_lifetime_seconds === 'number' ? hosted.url_lifetime_seconds * 1000 : (updateItem !== null ? UPDATE_LINK_TOKEN_TTL_MS : CREATE_LINK_TOKEN_TTL_MS)
  const createdAt = state.now()
  const id = randomUUID()
  const record: LinkTokenRecord = {
    linkToken: `link-sandbox-${id}`,
    hostedId: id.replace(/-/g, ''),
    createdAt,
    expiresAt: createdAt + lifetime,
    institution,
    webhook,
    metadata: {
      client_name: body.client_name,
      country_codes: countries,
      initial_products: updateItem === null ? body.products : [],
      language: body.language,
      redirect_uri: null,
      webhook
    },
    updateItemId: updateItem?.itemId ?? null,
    daysRequested,
    completionUri,
    session: null
  }
  state.addLinkToken(record)
  const out: Record<string, unknown> = { expiration: iso(record.expiresAt), link_token: record.linkToken }
  if (hosted !== null) out.hosted_link_url = `${state.opts.baseUrl.replace(/\/+$/, '')}/hl/${record.hostedId}`
  return out
}

function sessionJson (state: SandboxState, record: LinkTokenRecord): Array<Record<string, unknown>> {
  const s = record.session
  if (s === null) return []
  const institution = { institution_id: record.institution.id, name: record.institution.bank.name }
  const out: Record<string, unknown> = { link_session_id: s.id, started_at: iso(s.startedAt), events: [] }
  if (s.finishedAt !== null) out.finished_at = iso(s.finishedAt)
  if (s.publicToken !== null) {
    const item = state.items.get(state.publicTokens.get(s.publicToken)?.itemId ?? '')
    const accounts = item?.accounts.map(a => {
      const acc = accountJson(state, item, a)
      return { id: acc.account_id, name: acc.name, mask: acc.mask, type: acc.type, subtype: acc.subtype, verification_status: null, class_type: null }
    }) ?? []
    out.results = { item_add_results: [{ public_token: s.publicToken, accounts, institution }] }
    out.exit = null
  } else if (s.exit !== null) {
    out.exit = { error: s.exit.error, metadata: { institution, status: s.exit.status, link_session_id: s.id, request_id: null } }
  }
  return [out]
}

export function registerLinkApi (app: FastifyInstance, state: SandboxState): void {
  app.post('/link/token/create', async req => linkTokenCreate(state, bodyOf(req)))

  app.post('/link/token/get', async req => {
    const record = state.linkTokens.get(requireString(bodyOf(req), 'link_token'))
    if (record === undefined) throw plaidFail('INVALID_LINK_TOKEN')
    return { created_at: iso(record.createdAt), expiration: iso(record.expiresAt), link_token: record.linkToken, link_sessions: sessionJson(state, record), metadata: record.metadata }
  })

  app.post('/item/public_token/exchange', async req => {
    const token = requireString(bodyOf(req), 'public_token')
    const entry = state.publicTokens.get(token)
    if (entry === undefined || entry.used || entry.expiresAt <= state.now()) throw plaidFail('INVALID_PUBLIC_TOKEN')
    const item = state.items.get(entry.itemId)
    if (item === undefined || item.removed) throw plaidFail('INVALID_PUBLIC_TOKEN')
    entry.used = true
    return { access_token: item.accessToken, item_id: item.itemId }
  })

  app.post('/sandbox/public_token/create', async req => {
    const body = bodyOf(req)
    const institution = institutionById(requireString(body, 'institution_id'))
    if (institution === undefined) throw plaidFail('INVALID_INSTITUTION')
    const options = (body.options ?? {}) as Body
    const webhook = typeof options.webhook === 'string' && options.webhook !== '' ? absoluteHttpUrl(options.webhook, 'options.webhook') : null
    return { public_token: state.issuePublicToken(state.createItem(institution, webhook, daysRequestedOf(options.transactions))) }
  })
}

