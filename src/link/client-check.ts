/**
 * Reconnect / update-credentials pop-ups come with the link's `clientId` and a fresh `accessToken`
 * (Odoo calls get_access_token just before opening): the pair must match the client record.
 */
import { timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { sha256Hex } from '../crypto/tokens.js'

export async function verifyClient (s: Services, clientId: string, accessToken: string, claimedDb: string | null): Promise<string> {
  const refuse = (detail: string): AppError => new AppError('BSB_LINK_CLIENT_INVALID', { detail })
  const dbUuid = await s.clients.ownerOf(clientId)
  if (dbUuid === null) throw refuse('unknown client id')
  if (claimedDb !== null && claimedDb !== dbUuid) throw refuse('client belongs to another database')
  const client = await s.clients.get(dbUuid, clientId)
  if (client === null) throw refuse('client record gone')
  const given = Buffer.from(sha256Hex(accessToken), 'hex')
  const stored = Buffer.from(client.accessHash, 'hex')
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) throw refuse('access token does not match')
  if (client.accessExpiresAt <= s.now()) throw refuse('access token expired')
  return dbUuid
}
