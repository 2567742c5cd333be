/** `/proxy/v1/accounts`: the link's accounts, shaped for the caller's Odoo version, paginated. */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Services } from '../../services.js'
import { envelope, proxyBody, SIGNED_HEADERS } from '../../schemas/proxy.js'
import { resultEnvelope } from '../../protocol/envelope.js'
import { allStoredAccounts, linkContext, storeAccounts } from '../link-context.js'
import { saveRotatedSecrets } from '../../link/store.js'
import { shapeAccount } from '../shape.js'
import { readCursor } from '../cursor.js'
import { AppError } from '../../errors.js'

const PAGE = 100

/** Odoo sends an account's online_identifier (a string), or false for all accounts. */
function onlineIdentifier (value: unknown): string | null {
  if (value === undefined || value === null || value === false) return null
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return String(value)
  throw new AppError('BSB_INVALID_REQUEST', { detail: `online_identifier must be a string or false, not ${Array.isArray(value) ? 'an array' : typeof value}` })
}

export async function accountsRoute (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services
  app.post('/proxy/v1/accounts', {
    schema: {
      summary: 'The accounts of the link (filter by online_identifier; pages through next_data).',
      tags: ['odoo'],
      operationId: 'accounts',
      headers: SIGNED_HEADERS,
      body: proxyBody({ online_identifier: Type.Optional(Type.Unknown()), currency_code: Type.Optional(Type.Unknown()), add_new_accounts: Type.Optional(Type.Unknown()), next_data: Type.Optional(Type.Unknown()), provider_data: Type.Optional(Type.Unknown()) }),
      response: { 200: envelope(Type.Object({ accounts: Type.Array(Type.Record(Type.String(), Type.Unknown())), next_data: Type.Unknown(), swift_code: Type.Optional(Type.Union([Type.String(), Type.Null()])), odoofin_state: Type.Optional(Type.String()) })) }
    }
  }, async (req) => {
    const ctx = await linkContext(s, req)
    const body = req.body as { online_identifier?: unknown, next_data?: unknown }
    const wanted = onlineIdentifier(body.online_identifier)
    const cursor = readCursor(body.next_data)
    let accounts
    if (cursor.offset === 0) {
      const entry = s.providers.get(ctx.link.provider as string)
      const userPresent = ctx.utils.psu !== null && !ctx.utils.cron
      const fetched = await entry!.adapter.listAccounts(ctx.link.connection!, userPresent ? ctx.utils.psu : null)
      await saveRotatedSecrets(s, ctx.dbUuid, ctx.clientId, ctx.link, fetched.secrets)
      await storeAccounts(s, ctx, fetched.accounts)
      accounts = fetched.accounts
    } else {
      accounts = await allStoredAccounts(s, ctx)
    }
    accounts.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    if (wanted !== null) accounts = accounts.filter(a => a.id === wanted)
    const page = accounts.slice(cursor.offset, cursor.offset + PAGE)
    const more = cursor.offset + PAGE < accounts.length
    const result: Record<string, unknown> = {
      accounts: page.map(a => shapeAccount(a, ctx.major)),
      next_data: more ? { offset: cursor.offset + PAGE } : null,
      odoofin_state: 'connected'
    }
    if (ctx.major >= 18) result.swift_code = ctx.link.institution?.bic ?? accounts.find(a => a.bic !== null)?.bic ?? null
    return resultEnvelope(result)
  })
}
