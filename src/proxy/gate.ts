/**
 * The gate every signed `/proxy/*` request passes: headers, timestamp window, one Redis round trip
 * (client, subscription, database lock, and the request counted for the per-client rate limit and
 * the detection rules — src/store/gate-script.ts), HMAC signature over the Python-canonical body,
 * database binding, locks, token expiry, rate limit, detection, subscription. Redis is touched
 * again only on refusal paths (failed authentication counted per source IP, a rule firing, the
 * rate window's remaining time for Retry-After).
 */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { parseClient, type ClientRecord } from '../store/clients.js'
import { LINK_TAIL_CHARS, type GateArgs, type GateRead } from '../store/gate-script.js'
import { keptLink, openLink, type LinkData } from '../link/store.js'
import { sha256Hex } from '../crypto/tokens.js'
import { entitlementProblem } from '../store/subscriptions.js'
import { canonicalizePythonJson } from '../protocol/canonical-json.js'
import { canonicalQueryJson, signatureMessage, verifySignature } from '../protocol/signature.js'
import { utilsOf, type OdooUtils } from './utils.js'
import { judgeRequest, onBadSignature, onForeignDb } from '../locks/detect.js'
import { countFailedAuthentication } from '../plugins/rate-limit.js'

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
  /** The client's link data as stored, read in the gate's round trip; opened on first use (link). */
  link: () => LinkData | null
  /** True when the current refresh token signed (false: the previous one, inside its grace). */
  signedWithCurrent: boolean
  /** The request body's `utils`, read once. */
  utils: OdooUtils
}

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
  if (clientId === 'old_record_to_delete') throw new AppError('BSB_LEGACY_LINK', { detail: 'link converted from the legacy account_online_sync module' })
  if (clientId === 'duplicate') throw new AppError('BSB_DUPLICATED_DATABASE', { detail: 'client_id "duplicate" set by database neutralization' })
  let authenticated: Authenticated
  try {
    authenticated = await authenticate(s, req, policy)
  } catch (err) {
    await countFailedAuthentication(s, req)
    throw err
  }
  const { client, read, secret, utils } = authenticated
  req.bsb.dbUuid = client.dbUuid

  // get_access_token stays open to a locked client: Odoo calls it before opening the Reconnect pop-up,
  // where the user reactivates by SMS code; every other endpoint refuses, so the token reads nothing.
  if ((client.locked || client.frozen || read.dbLock.locked === '1') && policy.tokens !== 'get_access_token') {
    throw new AppError(client.frozen ? 'BSB_CLIENT_FROZEN' : 'BSB_ACCOUNT_LOCKED', { detail: `locked: ${client.lockReason ?? read.dbLock.reason ?? 'unknown'}` })
  }
  const nowMs = s.now()
  if (policy.tokens !== 'renew_token' && secret.current && client.refreshExpiresAt <= nowMs) {
    throw new AppError('BSB_REFRESH_TOKEN_EXPIRED', { detail: 'refresh token expired' })
  }
  const accessValid = timingSafeHashEqual(client.accessHash, authenticated.accessTokenHash) && client.accessExpiresAt > nowMs
  if (policy.tokens === 'ordinary' && !accessValid) {
    throw new AppError('BSB_ACCESS_TOKEN_EXPIRED', { detail: 'access token expired or superseded' })
  }
  // Counted inside the gate's read when the access token was current; token upkeep with a stale one is counted now.
  const seen = read.counted ?? await s.gate.count(authenticated.gateArgs)
  if (seen.inWindow > s.config.rateLimits.proxyPerClient) {
    const ttlMs = seen.windowTtlMs >= 0 ? seen.windowTtlMs : await s.gate.windowTtl(authenticated.gateArgs)
    throw new AppError('BSB_RATE_LIMITED', { detail: `client: ${seen.inWindow} requests in the window, limit ${s.config.rateLimits.proxyPerClient}`, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) })
  }
  if (await judgeRequest(s, req, client, utils.psu, seen)) throw new AppError('BSB_ACCOUNT_LOCKED', { detail: 'locked by a detection rule on this request' })
  if (!policy.skipSubscription) {
    const problem = entitlementProblem(read.subscription, new Date(nowMs).toISOString().slice(0, 10))
    if (problem !== null) throw new AppError(problem, { detail: 'database not entitled' })
  }
  const link = (): LinkData | null => {
    if (read.linkUnchanged && authenticated.knownLink !== undefined) return authenticated.knownLink
    return read.linkSealed === null ? null : openLink(s, client.clientId, read.linkSealed)
  }
  return { client, signedWithCurrent: secret.current, link, utils }
}

interface Authenticated {
  client: ClientRecord
  read: GateRead
  secret: { current: boolean }
  utils: OdooUtils
  accessTokenHash: string
  gateArgs: GateArgs
  /** The link data this process held opened for the client when the request came (see LINK_TAIL_CHARS). */
  knownLink: LinkData | undefined
}

/** Headers, timestamp window, the one Redis read, the HMAC signature and the database binding. */
async function authenticate (s: Services, req: FastifyRequest, policy: GatePolicy): Promise<Authenticated> {
  const clientId = header(req, 'odoofin-client-id')
  const accessToken = header(req, 'odoofin-access-token')
  const timestamp = header(req, 'odoofin-timestamp')
  const signature = header(req, 'odoofin-signature')
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
  const accessTokenHash = sha256Hex(accessToken)
  const known = keptLink(s, clientId)
  const gateArgs: GateArgs = {
    dbUuid: utils.dbUuid,
    clientId,
    accessTokenHash,
    psuIp: utils.psu?.ip ?? null,
    knownLinkTail: known === undefined ? '' : known.envelope.slice(-LINK_TAIL_CHARS),
    now: s.now(),
    rateWindowMs: s.config.rateLimits.windowMs,
    psuWindowMs: s.config.detection.psuIps.windowSeconds * 1000
  }
  const read = await s.gate.read(gateArgs)
  let client = read.client === null ? null : parseClient(clientId, read.client)
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

  const q = req.url.indexOf('?')
  const message = signatureMessage({
    timestamp,
    path: q < 0 ? req.url : req.url.slice(0, q),
    clientId,
    accessToken,
    queryJson: q < 0 ? '{}' : canonicalQueryJson(new URLSearchParams(req.url.slice(q + 1))),
    bodyJson: canonicalizeBody(req.bsb.rawBody)
  })
  const secret = s.clients.signingSecrets(client).find(sec => verifySignature(sec.token, message, signature))
  if (secret === undefined) {
    req.bsb.security = 'bad_signature'
    // Only a caller holding the client's current access token counts towards locking it (a stolen
    // access token without the refresh secret): knowing a client id must not be enough to lock it.
    // Any other failed signature counts against its source IP only (countFailedAuthentication).
    if (timingSafeHashEqual(client.accessHash, accessTokenHash)) await onBadSignature(s, req, client, utils.psu)
    throw new AppError('BSB_INVALID_SIGNATURE', { detail: 'HMAC mismatch' })
  }
  if (foreignDb) {
    await onForeignDb(s, req, client, utils.dbUuid, utils.psu)
    req.bsb.security = 'foreign_db'
    throw new AppError('BSB_LINK_REQUIRED', { detail: 'client used from another db_uuid' })
  }
  return { client, read, secret, utils, accessTokenHash, gateArgs, knownLink: known?.value }
}

function canonicalizeBody (raw: string): string {
  try {
    return canonicalizePythonJson(raw)
  } catch (err) {
    throw new AppError('BSB_INVALID_REQUEST', { detail: `body is not JSON Python accepts: ${(err as Error).message}` })
  }
}

function timingSafeHashEqual (storedHex: string, presentedHex: string): boolean {
  const a = Buffer.from(storedHex, 'hex')
  const b = Buffer.from(presentedHex, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}
