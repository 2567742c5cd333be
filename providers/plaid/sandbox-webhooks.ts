/**
 * Webhooks from the sandbox: 2-space-indented JSON bodies signed like Plaid's (`Plaid-Verification`
 * ES256 JWT with `iat` and `request_body_sha256`), delivered over loopback only.
 */
import { createHash } from 'node:crypto'
import { importJWK, SignJWT } from 'jose'
import { request } from 'undici'
import { SANDBOX_WEBHOOK_KEY, type SandboxSigningKey } from './sandbox-keys.js'
import { SANDBOX_LIMITS, type SandboxItem, type SandboxState } from './sandbox-state.js'

export async function signWebhookBody (body: string, opts: { key?: SandboxSigningKey, iat: number, alg?: string }): Promise<string> {
  const key = opts.key ?? SANDBOX_WEBHOOK_KEY
  const hash = createHash('sha256').update(body).digest('hex')
  return await new SignJWT({ request_body_sha256: hash })
    .setProtectedHeader({ alg: opts.alg ?? 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuedAt(opts.iat)
    .sign(await importJWK(key.privateJwk, 'ES256'))
}

function isLoopback (url: string): boolean {
  try {
    const host = new URL(url).hostname
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1'
  } catch {
    return false
  }
}

/** Where webhooks for this Item go: its own webhook when it is on loopback, else the broker's route. */
export function webhookTarget (state: SandboxState, item: SandboxItem): string | null {
  if (item.webhook !== null && (isLoopback(item.webhook) || item.webhook === state.opts.webhookUrl)) return item.webhook
  return state.opts.webhookUrl ?? null
}

export function webhookBody (item: SandboxItem, type: string, code: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { environment: 'sandbox', item_id: item.itemId, ...extra, webhook_code: code, webhook_type: type }
}

/** Delivers in the background; failures are dropped (Plaid would retry, the sandbox does not). */
export function deliverWebhook (state: SandboxState, url: string, payload: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify(payload, null, 2)
  const run = async (): Promise<void> => {
    const jwt = await signWebhookBody(body, { iat: Math.floor(state.now() / 1000) })
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'plaid-verification': jwt },
      body,
      dispatcher: state.opts.dispatcher,
      signal: AbortSignal.timeout(SANDBOX_LIMITS.webhookTimeoutMs)
    })
    await res.body.dump()
  }
  return run().catch(() => undefined)
}

const WEBHOOKS: Record<string, { type: string, extra: (item: SandboxItem, now: number) => Record<string, unknown> }> = {
  SYNC_UPDATES_AVAILABLE: { type: 'TRANSACTIONS', extra: () => ({ historical_update_complete: true, initial_update_complete: true }) },
  DEFAULT_UPDATE: { type: 'TRANSACTIONS', extra: () => ({ error: null, new_transactions: 0 }) },
  LOGIN_REPAIRED: { type: 'ITEM', extra: () => ({}) },
  PENDING_DISCONNECT: { type: 'ITEM', extra: (_item, now) => ({ reason: 'INSTITUTION_MIGRATION', disconnect_time: new Date(now + 7 * 86_400_000).toISOString() }) },
  USER_PERMISSION_REVOKED: {
    type: 'ITEM',
    extra: () => ({ error: { error_code: 'USER_PERMISSION_REVOKED', error_message: 'the holder of this account has revoked their permission for your application to access it', display_message: null, error_type: 'ITEM_ERROR', status: 400 } })
  },
  ERROR: {
    type: 'ITEM',
    extra: () => ({ error: { display_message: null, error_code: 'ITEM_LOGIN_REQUIRED', error_code_reason: null, error_message: 'the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link\'s update mode to restore the item to a good state', error_type: 'ITEM_ERROR', status: 400 } })
  }
}

export function sandboxWebhookPayload (item: SandboxItem, code: string, now: number): Record<string, unknown> | null {
  const spec = WEBHOOKS[code]
  return spec === undefined ? null : webhookBody(item, spec.type, code, spec.extra(item, now))
}
