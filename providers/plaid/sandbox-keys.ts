/**
 * SANDBOX-ONLY webhook signing keys (EC P-256). Published on purpose: they sign webhooks from the
 * local Plaid sandbox and must never be trusted for a real Plaid environment.
 */
import type { JWK } from 'jose'

export interface SandboxSigningKey {
  kid: string
  /** Unix seconds. */
  createdAt: number
  /** Unix seconds when the key was retired, or null while it is current. */
  expiredAt: number | null
  privateJwk: JWK
}

/** The key the sandbox signs with. */
export const SANDBOX_WEBHOOK_KEY: SandboxSigningKey = {
  kid: '315f2d52-faf1-46af-843e-9263ee2a9d27',
  createdAt: 1_700_000_000,
  expiredAt: null,
  privateJwk: { kty: 'EC', crv: 'P-256', x: 'idrWjKS_k3B_XNXyFz9o6dzThJJhzfuu4O1eUhWepBE', y: 'y2KmFzYlqJTZ_katALd1Yk49-kONAL29qP4eZAy-HVA', d: 'UUo-39yM7GgujlbbjBWHCGGpVKuyTMw28p-Qx11-zGs' }
}

/** A retired key (served with `expired_at` set) so tests can check that expired keys are refused. */
export const SANDBOX_EXPIRED_WEBHOOK_KEY: SandboxSigningKey = {
  kid: 'c1c32860-32f4-4568-9289-67aa947e2b65',
  createdAt: 1_600_000_000,
  expiredAt: 1_650_000_000,
  privateJwk: { kty: 'EC', crv: 'P-256', x: '1zAHhA1lFzTAIP05YEPB4Ya35Om7GAuLs6_y7Pfy8U4', y: 'MBCf9g17BoN4uMjssM0st4QEHMuxwfZTmjxs2SEUGMQ', d: 'fEFC0p6Rrmst_KCXp98tNJ40UYdYUbAZLqO_0Coj_5o' }
}

export const SANDBOX_WEBHOOK_KEYS: readonly SandboxSigningKey[] = [SANDBOX_WEBHOOK_KEY, SANDBOX_EXPIRED_WEBHOOK_KEY]

/** The public half in Plaid's `/webhook_verification_key/get` shape. */
export function publicKeyResponse (key: SandboxSigningKey): Record<string, string | number | null> {
  const { kty, crv, x, y } = key.privateJwk as { kty: string, crv: string, x: string, y: string }
  return { alg: 'ES256', created_at: key.createdAt, crv, expired_at: key.expiredAt, kid: key.kid, kty, use: 'sig', x, y }
}
