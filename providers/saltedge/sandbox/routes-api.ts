/**
 * Sandbox Salt Edge v6 routes for providers, customers, connections (connect, reconnect, refresh,
 * show, list, remove) and consents, with the real refusals and error bodies.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { SandboxOptions } from '../../module.js'
import { CATALOG } from './catalog.js'
import { refreshRefusal, sendSuccess, startRefresh } from './connections.js'
import { connectionJson, consentJson, iso, isoDay, paginate, seError } from './replies.js'
import type { ConnectionRec, SandboxState } from './state.js'

type Q = Record<string, string | undefined>
const DAY_MS = 86_400_000
const SESSION_TTL_MS = 60 * 60 * 1000

function obj (v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null
}

function dataOf (body: unknown): Record<string, unknown> | null {
  return obj(obj(body)?.data)
}

export interface ApiContext { state: SandboxState, opts: SandboxOptions, now: () => number, publicBase: (host: string | undefined, proto: string) => string }

export function registerApiRoutes (app: FastifyInstance, ctx: ApiContext): void {
  const { state, opts, now } = ctx

  function connection (reply: FastifyReply, id: string | undefined): ConnectionRec | null {
    const c = id === undefined ? undefined : state.connections.get(id)
    if (c === undefined) { seError(reply, 'ConnectionNotFound', `Connection with id: '${id ?? ''}' was not found.`, { connection_id: id ?? null }); return null }
    return c
  }

  app.get('/providers', async (req, reply) => {
    const q = req.query as Q
    const cc = q.country_code?.toUpperCase()
    const sandboxes = q.include_sandboxes === 'true'
    const list = [...CATALOG.values()].map(e => e.provider)
      .filter(p => (cc === undefined || p.country_code === cc) && (sandboxes || p.country_code !== 'XF'))
    const page = paginate(list, q, '/providers')
    return page ?? seError(reply, 'WrongRequestFormat', 'from_id or per_page is not valid.', q)
  })

  app.get('/providers/:code', async (req, reply) => {
    const { code } = req.params as { code: string }
    const e = CATALOG.get(code)
    return e === undefined ? seError(reply, 'ProviderNotFound', `Provider with code: '${code}' was not found.`, { provider_code: code }) : { data: e.provider }
  })

  app.post('/customers', async (req, reply) => {
    const identifier = dataOf(req.body)?.identifier
    if (typeof identifier !== 'string' || identifier === '' || identifier.length > 255) return seError(reply, 'WrongRequestFormat', 'data.identifier is required.')
    if (state.customersByIdentifier.has(identifier)) return seError(reply, 'DuplicatedCustomer', `Customer with identifier '${identifier}' already exists.`, { identifier })
    const c = { id: state.ids.customer(), identifier, createdAt: now() }
    state.putCustomer(c)
    return { data: { customer_id: c.id, identifier, blocked_at: null, created_at: iso(c.createdAt), updated_at: iso(c.createdAt) } }
  })

  app.get('/customers/:id', async (req, reply) => {
    const c = state.customers.get((req.params as { id: string }).id)
    if (c === undefined) return seError(reply, 'CustomerNotFound', 'Customer was not found.')
    return { data: { customer_id: c.id, identifier: c.identifier, blocked_at: null, created_at: iso(c.createdAt), updated_at: iso(c.createdAt) } }
  })

  /** Shared by connect and reconnect: validates the body and opens a widget session. */
  function openSession (reply: FastifyReply, body: unknown, customerId: string, providerCode: string | null, reconnectId: string | null, host: string | undefined, proto: string) {
    const data = dataOf(body)
    if (data === null) return seError(reply, 'WrongRequestFormat', 'Request body must be {"data": {...}}.')
    const consent = obj(data.consent)
    const attempt = obj(data.attempt)
    if (consent === null || !Array.isArray(consent.scopes) || consent.scopes.length === 0) return seError(reply, 'WrongRequestFormat', 'consent.scopes is required.')
    const returnTo = attempt?.return_to
    if (typeof returnTo !== 'string' || !/^https?:\/\//.test(returnTo)) return seError(reply, 'WrongRequestFormat', 'attempt.return_to must be an http(s) URL.')
    const code = providerCode ?? (typeof obj(data.provider)?.code === 'string' ? obj(data.provider)?.code as string : null)
    const entry = code === null ? undefined : CATALOG.get(code)
    if (entry === undefined || (entry.provider.country_code === 'XF' && reconnectId === null && obj(data.provider)?.include_sandboxes !== true)) {
      return seError(reply, 'ProviderNotFound', `Provider with code: '${code ?? ''}' was not found.`, { provider_code: code })
    }
    const fromDate = typeof consent.from_date === 'string' ? consent.from_date : null
    if (fromDate !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(fromDate) || fromDate < isoDay(now() - entry.provider.max_fetch_interval * DAY_MS) || fromDate > isoDay(now()))) {
      return seError(reply, 'InvalidFromDate', `from_date must be between ${isoDay(now() - entry.provider.max_fetch_interval * DAY_MS)} and today.`, { from_date: fromDate })
    }
    const period = consent.period_days
    if (period !== undefined && period !== null && (!Number.isInteger(period) || (period as number) < 1)) return seError(reply, 'WrongRequestFormat', 'consent.period_days must be a positive integer.')
    const token = randomBytes(24).toString('base64url')
    const expiresAt = now() + SESSION_TTL_MS
    state.putSession({
      token,
      customerId,
      providerCode: entry.provider.code,
      returnTo,
      returnConnectionId: data.return_connection_id === true,
      returnErrorClass: data.return_error_class === true,
      fromDate,
      periodDays: typeof period === 'number' ? period : null,
      reconnectId,
      expiresAt,
      otpFailures: 0
    })
    return { data: { connect_url: `${ctx.publicBase(host, proto)}/connect?token=${token}`, expires_at: iso(expiresAt), customer_id: customerId } }
  }

  app.post('/connections/connect', async (req, reply) => {
    const customerId = dataOf(req.body)?.customer_id
    if (typeof customerId !== 'string' || !state.customers.has(customerId)) return seError(reply, 'CustomerNotFound', 'Customer was not found.', { customer_id: customerId ?? null })
    return openSession(reply, req.body, customerId, null, null, req.headers.host, req.protocol)
  })

  app.post('/connections/:id/reconnect', async (req, reply) => {
    const c = connection(reply, (req.params as { id: string }).id)
    if (c === null) return reply
    return openSession(reply, req.body, c.customerId, c.entry.provider.code, c.id, req.headers.host, req.protocol)
  })

  app.post('/connections/:id/refresh', async (req, reply) => {
    const c = connection(reply, (req.params as { id: string }).id)
    if (c === null) return reply
    const attempt = obj(dataOf(req.body)?.attempt)
    const lastLogged = typeof attempt?.customer_last_logged_at === 'string' ? Date.parse(attempt.customer_last_logged_at) : Number.NaN
    const userPresent = attempt?.user_present === true || (!Number.isNaN(lastLogged) && Math.abs(now() - lastLogged) < 5 * 60_000)
    const refusal = refreshRefusal(state, c, userPresent, now())
    if (refusal !== null) return seError(reply, refusal.errorClass, refusal.message, { connection_id: c.id })
    startRefresh(state, c, userPresent, now())
    await sendSuccess(opts, c, now())
    return { data: connectionJson(c, now()) }
  })

  app.get('/connections/:id', async (req, reply) => {
    const c = connection(reply, (req.params as { id: string }).id)
    return c === null ? reply : { data: connectionJson(c, now()) }
  })

  app.get('/connections', async (req, reply) => {
    const q = req.query as Q
    if (q.customer_id === undefined || !state.customers.has(q.customer_id)) return seError(reply, 'CustomerNotFound', 'Customer was not found.', { customer_id: q.customer_id ?? null })
    const list = [...state.connections.values()].filter(c => c.customerId === q.customer_id).map(c => connectionJson(c, now()))
    return paginate(list, q, '/connections') ?? seError(reply, 'WrongRequestFormat', 'from_id or per_page is not valid.', q)
  })

  app.delete('/connections/:id', async (req, reply) => {
    const c = connection(reply, (req.params as { id: string }).id)
    if (c === null) return reply
    for (const cons of state.consents.values()) if (cons.connectionId === c.id && cons.revokedAt === null) cons.revokedAt = now()
    state.removeConnection(c.id)
    return { data: { id: c.id, removed: true } }
  })

  app.get('/consents', async (req, reply) => {
    const q = req.query as Q
    if (q.connection_id === undefined && q.customer_id === undefined) return seError(reply, 'WrongRequestFormat', 'connection_id or customer_id is required.')
    const list = [...state.consents.values()]
      .filter(c => (q.connection_id === undefined || c.connectionId === q.connection_id) && (q.customer_id === undefined || c.customerId === q.customer_id))
      .map(c => consentJson(c, now()))
    return paginate(list, q, '/consents') ?? seError(reply, 'WrongRequestFormat', 'from_id or per_page is not valid.', q)
  })

  app.get('/consents/:id', async (req, reply) => {
    const q = req.query as Q
    const c = state.consents.get((req.params as { id: string }).id)
    if (c === undefined || (q.connection_id !== undefined && c.connectionId !== q.connection_id)) return seError(reply, 'ConsentNotFound', 'Consent was not found.', q)
    return { data: consentJson(c, now()) }
  })

  const revoke = async (req: { params: unknown, query: unknown }, reply: FastifyReply) => {
    const q = req.query as Q
    const c = state.consents.get((req.params as { id: string }).id)
    if (c === undefined || (q.connection_id !== undefined && c.connectionId !== q.connection_id)) return seError(reply, 'ConsentNotFound', 'Consent was not found.', q)
    c.revokedAt ??= now()
    return { data: consentJson(c, now()) }
  }
  app.post('/consents/:id/revoke', revoke)
  app.put('/consents/:id/revoke', revoke)
}
