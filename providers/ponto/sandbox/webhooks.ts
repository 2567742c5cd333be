/**
 * Ponto sandbox webhooks: the JWKS at `GET /webhooks/keys`, and signed deliveries (compact JWS,
 * RS512, claims aud / iss / digest = base64(SHA-512(body)) / iat / exp = iat + 60 / jti) when a
 * synchronization finishes, sent to the broker's webhook URL over the injected dispatcher.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { SignJWT, exportJWK } from 'jose'
import { request } from 'undici'
import { WEBHOOK_ISSUER } from '../webhook.js'
import { SANDBOX_APPLICATION_ID, SANDBOX_WEBHOOK_KID, SANDBOX_WEBHOOK_PRIVATE_KEY_PEM } from '../sandbox-keys.js'
import type { SandboxContext } from './context.js'
import { updatedRows } from './sync-engine.js'
import { syncDoneAt, syncStatus } from './state.js'

const privateKey = createPrivateKey(SANDBOX_WEBHOOK_PRIVATE_KEY_PEM)

export async function signWebhook (body: string, nowMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000)
  return await new SignJWT({ digest: createHash('sha512').update(body).digest('base64') })
    .setProtectedHeader({ alg: 'RS512', kid: SANDBOX_WEBHOOK_KID })
    .setAudience(SANDBOX_APPLICATION_ID)
    .setIssuer(WEBHOOK_ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .setJti(randomUUID())
    .sign(privateKey)
}

export function webhookKeyRoutes (app: FastifyInstance): void {
  app.get('/webhooks/keys', async () => {
    const jwk = await exportJWK(createPublicKey(privateKey))
    return { keys: [{ ...jwk, alg: 'RS512', kid: SANDBOX_WEBHOOK_KID, use: 'sig', status: 'ACTIVE' }] }
  })
}

function event (ctx: SandboxContext, syncId: string): { type: string, attributes: Record<string, unknown>, accountId: string } | null {
  const sync = ctx.state.syncs.get(syncId)
  if (sync === undefined) return null
  const account = ctx.catalog.accounts.get(sync.accountId)
  const createdAt = new Date(syncDoneAt(sync)).toISOString()
  if (sync.outcome === 'error' || account === undefined) return { type: 'pontoConnect.synchronization.failed', attributes: { createdAt, synchronizationSubtype: sync.subtype }, accountId: sync.accountId }
  const count = sync.subtype === 'accountDetails' ? 0 : updatedRows(ctx, sync, account).length
  if (count === 0) return { type: 'pontoConnect.synchronization.succeededWithoutChange', attributes: { createdAt, synchronizationSubtype: sync.subtype }, accountId: sync.accountId }
  return { type: 'pontoConnect.account.transactionsCreated', attributes: { createdAt, synchronizedAt: createdAt, count }, accountId: sync.accountId }
}

/** Sends one webhook per synchronization that finished since the last call (deliveries never block the API). */
export function deliverFinishedSyncs (ctx: SandboxContext): void {
  const url = ctx.opts.webhookUrl
  if (url === undefined) return
  const now = ctx.now()
  for (const sync of ctx.state.syncs.values()) {
    const status = syncStatus(sync, now)
    if (sync.notified || (status !== 'success' && status !== 'error')) continue
    sync.notified = true
    const e = event(ctx, sync.id)
    if (e === null) continue
    const grant = [...ctx.state.grants.values()].find(g => g.accountIds.includes(sync.accountId))
    const body = JSON.stringify({
      data: {
        type: e.type,
        id: randomUUID(),
        attributes: e.attributes,
        relationships: {
          account: { data: { type: 'account', id: e.accountId } },
          organization: { data: { type: 'organization', id: grant?.organizationId ?? null } },
          synchronization: { data: { type: 'synchronization', id: sync.id } }
        }
      }
    })
    signWebhook(body, now)
      .then(signature => request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', signature }, dispatcher: ctx.opts.dispatcher, signal: AbortSignal.timeout(5_000) }))
      .then(res => res.body.dump())
      .catch(() => { /* the sandbox, like Ibanity, does not let a failed delivery affect the API */ })
  }
}
