/**
 * Sandbox request authentication as Salt Edge does it for an app with an uploaded public key:
 * `App-id` + `Secret`, then `Expires-at` (future, at most 1 h ahead) and `Signature` over
 * `Expires-at|METHOD|full URL|body`, checked with the sandbox app's public key.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createPublicKey } from 'node:crypto'
import { MAX_EXPIRES_AHEAD_SECONDS, requestSigningString, verifyText } from '../signing.js'
import { SANDBOX_CLIENT_PUBLIC_KEY } from '../sandbox-keys.js'
import { seError } from './replies.js'

export const SANDBOX_APP_ID = 'sandbox-app-id-saltedge'
export const SANDBOX_SECRET = 'sandbox-secret-saltedge'

const clientKey = createPublicKey(SANDBOX_CLIENT_PUBLIC_KEY)
/** Raw request bodies, kept for signature checks without touching Fastify's request type. */
export const rawBodies = new WeakMap<FastifyRequest, string>()

function one (req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** The URLs the client may have signed: as reached (Host header) and as published (baseUrl). */
function candidateUrls (req: FastifyRequest, baseUrl: string | undefined): string[] {
  const out = [`${req.protocol}://${req.headers.host ?? ''}${req.url}`]
  if (baseUrl !== undefined && baseUrl !== '') {
    try { out.push(`${new URL(baseUrl).origin}${req.url}`) } catch { /* not a URL: host form only */ }
  }
  return out
}

/** Replies with Salt Edge's error and returns true when the request is not authenticated. */
export function rejectUnauthenticated (req: FastifyRequest, reply: FastifyReply, nowMs: number, baseUrl: string | undefined): boolean {
  const appId = one(req, 'app-id')
  const secret = one(req, 'secret')
  if (appId === undefined || appId === '') { seError(reply, 'AppIdNotProvided', 'App-id header is missing.'); return true }
  if (secret === undefined || secret === '') { seError(reply, 'SecretNotProvided', 'Secret header is missing.'); return true }
  if (appId !== SANDBOX_APP_ID || secret !== SANDBOX_SECRET) { seError(reply, 'ApiKeyNotFound', 'API key with the provided App-id and Secret was not found.'); return true }
  const expires = one(req, 'expires-at')
  const signature = one(req, 'signature')
  if (signature === undefined || signature === '' || expires === undefined || expires === '') {
    seError(reply, 'MissingSignature', 'Signature and Expires-at headers are required: this app has a public key.')
    return true
  }
  if (!/^\d{1,12}$/.test(expires)) { seError(reply, 'ExpiresAtInvalid', 'Expires-at must be a unix timestamp.'); return true }
  const nowS = Math.floor(nowMs / 1000)
  if (Number(expires) > nowS + MAX_EXPIRES_AHEAD_SECONDS) { seError(reply, 'ExpiresAtInvalid', 'Expires-at is more than 1 hour from now.'); return true }
  if (Number(expires) < nowS) { seError(reply, 'RequestExpired', 'The request has expired (Expires-at is in the past).'); return true }
  const body = rawBodies.get(req) ?? ''
  const ok = candidateUrls(req, baseUrl).some(url => verifyText(clientKey, requestSigningString(Number(expires), req.method, url, body), signature))
  if (!ok) { seError(reply, 'SignatureNotMatch', 'Signature does not match the request.'); return true }
  return false
}
