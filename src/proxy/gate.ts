/**
 * The gate every signed `/proxy/*` request passes: headers, timestamp window, client lookup (one
 * Redis round trip: client, subscription, lock, rate counter), HMAC signature over the
 * Python-canonical body, refresh/access token expiry, database binding, lock and subscription.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import type { ClientRecord } from '../store/clients.js'
import { entitlementProblem } from '../store/subscriptions.js'
import { canonicalizePythonJson } from '../protocol/canonical-json.js'
import { canonicalQueryJson, signatureMessage, verifySignature } from '../protocol/signature.js'
import { utilsOf } from './utils.js'
import { observeRequest, onBadSignature, onForeignDb } from '../locks/detect.js'

export type TokenPolicy = 'ordinary' | 'get_access_token' | 'renew_token'

export interface GatePolicy {
  tokens: TokenPolicy
  /** Endpoints that must work for an unentitled database (token upkeep, deletion). */
  skipSubscription: boolean
  /** delete_user must be able to delete an unknown client (answered 104, treated as deleted). */
  deleting: boolean
}

export interface GateResult {
  client: ClientRecord
  /** True when the current refresh token signed (false: the previous one, inside its grace). */
  signedWithCurrent: boolean
}

const MAX_REQUESTS_PER_MINUTE = 600

function header (req: FastifyRequest, name: string): string | null {
  const v = req.headers[name]
  if (typeof v !== 'string' || v.length === 0 || v.length > 512) return null
  return v
}

function versionAtLeast (serverVersion: string, major: number): boolean {
  const m = /(\d+)\.\d+/.exec(serverVersion)
  return m !== null && Number(m[1]) >= major
}

export async function passGate (s: Services, req: FastifyRequest, policy: GatePolicy): Promise<GateResult> {
  const clientId = header(req, 'odoofin-client-id')
  const accessToken = header(req, 'odoofin-access-token')
  const timestamp = header(req, 'odoofin-timestamp')
  const signature = header(req, 'odoofin-signature')
  if (clientId === 'old_record_to_delete') throw new AppError('BSB_LEGACY_LINK', { detail: 'link converted from the legacy account_online_sync module' })
  if (clientId === 'duplicate') throw new AppError('BSB_DUPLICATED_DATABASE', { detail: 'client_id "duplicate" set by database neutralization' })
  if (clientId === null || accessToken === null || timestamp === null || signature === null) {
    throw new AppError('BSB_INVALID_SIGNATURE', { detail: 'missing odoofin-* signature headers' })
  }
  req.bsb.clientId = clientId
  const nowSeconds = Math.floor(s.now() / 1000)
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > s.config.tokens.signatureWindowSeconds) {
    throw new AppError('BSB_INVALID_SIGNATURE', { detail: `timestamp outside the ${s.config.tokens.signatureWindowSeconds}s window` })
  }
  const utils = utilsOf(req.body)
  req.bsb.dbUuid = utils.dbUuid
  const read = await s.clients.gateRead(utils.dbUuid, clientId)
  let client = read.client
  let foreignDb = false
  if (client === null) {
    const owner = await s.clients.ownerOf(clientId)
    if (owner !== null && owner !== utils.dbUuid) {
      client = await s.clients.get(owner, clientId)
      foreignDb = client !== null
    }
  }
  if (client === null) {
    if (policy.deleting || !versionAtLeast(utils.serverVersion, 17)) throw new AppError('BSB_CLIENT_DELETED', { detail: 'unknown client id' })
    throw new AppError('BSB_LINK_REQUIRED', { detail: 'unknown client id', userMessage: 'This bank connection no longer exists. Please connect your bank again.' })
  }

  const message = signatureMessage({
    timestamp,
    path: req.url.split('?')[0] as string,
    clientId,
    accessToken,
    queryJson: canonicalQueryJson(new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '')),
    bodyJson: canonicalizeBody(req.bsb.rawBody)
  })
  const secret = s.clients.signingSecrets(client).find(sec => verifySignature(sec.token, message, signature))
  if (secret === undefined) {
    req.bsb.security = 'bad_signature'
    await onBadSignature(s, req, client, utils.psu)
    throw new AppError('BSB_INVALID_SIGNATURE', { detail: 'HMAC mismatch' })
  }
  if (foreignDb) {
    await onForeignDb(s, req, client, utils.dbUuid, utils.psu)
    req.bsb.security = 'foreign_db'
    throw new AppError('BSB_LINK_REQUIRED', { detail: 'client used from another db_uuid' })
  }
  req.bsb.dbUuid = client.dbUuid

  if (client.locked || client.frozen || read.dbLock.locked === '1') {
    throw new AppError(client.frozen ? 'BSB_CLIENT_FROZEN' : 'BSB_ACCOUNT_LOCKED', { detail: `locked: ${client.lockReason ?? read.dbLock.reason ?? 'unknown'}` })
  }
  if (await observeRequest(s, req, client, utils.psu)) throw new AppError('BSB_ACCOUNT_LOCKED', { detail: 'locked by a detection rule on this request' })
  if (read.requestsThisMinute > MAX_REQUESTS_PER_MINUTE) throw new AppError('BSB_RATE_LIMITED', { detail: `${read.requestsThisMinute} requests this minute` })

  const nowMs = s.now()
  if (policy.tokens !== 'renew_token' && secret.current && client.refreshExpiresAt <= nowMs) {
    throw new AppError('BSB_REFRESH_TOKEN_EXPIRED', { detail: 'refresh token expired' })
  }
  if (policy.tokens === 'ordinary') {
    if (!timingSafeHashEqual(client.accessHash, accessToken) || client.accessExpiresAt <= nowMs) {
      throw new AppError('BSB_ACCESS_TOKEN_EXPIRED', { detail: 'access token expired or superseded' })
    }
  }
  if (!policy.skipSubscription) {
    const problem = entitlementProblem(read.subscription, new Date(nowMs).toISOString().slice(0, 10))
    if (problem !== null) throw new AppError(problem, { detail: 'database not entitled' })
  }
  return { client, signedWithCurrent: secret.current }
}

function canonicalizeBody (raw: string): string {
  try {
    return canonicalizePythonJson(raw)
  } catch (err) {
    throw new AppError('BSB_INVALID_REQUEST', { detail: `body is not JSON Python accepts: ${(err as Error).message}` })
  }
}

function timingSafeHashEqual (storedHex: string, token: string): boolean {
  const a = Buffer.from(storedHex, 'hex')
  const b = createHash('sha256').update(token).digest()
  return a.length === b.length && timingSafeEqual(a, b)
}
