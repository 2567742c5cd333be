/** Loads what data endpoints need after the gate: the link, its stored accounts, one account. */
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import type { Account } from '../../providers/types.js'
import type { LinkData } from '../link/store.js'
import { passGate } from './gate.js'
import { majorVersion, type OdooUtils } from './utils.js'

export interface LinkContext {
  dbUuid: string
  clientId: string
  link: LinkData
  utils: OdooUtils
  major: number
}

export async function linkContext (s: Services, req: FastifyRequest): Promise<LinkContext> {
  const gate = await passGate(s, req, { tokens: 'ordinary', skipSubscription: false, deleting: false })
  const { client, utils } = gate
  const link = gate.link()
  if (link === null || link.provider === undefined || link.connection === undefined) {
    throw new AppError('BSB_CLIENT_DELETED', { detail: 'client has no bank connection' })
  }
  return { dbUuid: client.dbUuid, clientId: client.clientId, link, utils, major: majorVersion(utils.serverVersion) }
}

const aad = (clientId: string): string => `accounts:${clientId}`

export async function storeAccounts (s: Services, ctx: LinkContext, accounts: Account[]): Promise<void> {
  if (accounts.length === 0) return
  const key = s.keys.accounts(ctx.dbUuid, ctx.clientId)
  const fields: Record<string, string> = {}
  for (const a of accounts) fields[a.id] = s.box.sealJson(a, aad(ctx.clientId))
  await s.redis.multi().hset(key, fields).expire(key, s.config.tokens.refreshTtlSeconds + 30 * 86_400).exec()
}

export async function storedAccount (s: Services, ctx: LinkContext, accountId: unknown): Promise<Account> {
  if (typeof accountId !== 'string' && typeof accountId !== 'number') throw new AppError('BSB_INVALID_REQUEST', { detail: 'account_id missing' })
  const sealed = await s.redis.hget(s.keys.accounts(ctx.dbUuid, ctx.clientId), String(accountId))
  if (sealed === null) throw new AppError('BSB_ACCOUNT_NOT_FOUND', { detail: 'account_id not in this link' })
  return s.box.openJson<Account>(sealed, aad(ctx.clientId))
}

export async function allStoredAccounts (s: Services, ctx: LinkContext): Promise<Account[]> {
  const h = await s.redis.hgetall(s.keys.accounts(ctx.dbUuid, ctx.clientId))
  return Object.values(h).map(v => s.box.openJson<Account>(v, aad(ctx.clientId)))
}
