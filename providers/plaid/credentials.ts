/** Plaid settings (environment variables) and the credentials the adapter is built from. */
import type { ProviderSetting } from '../module.js'

export interface PlaidCredentials {
  clientId: string
  secret: string
  /** Shown to the user in Link ("<client name> uses Plaid to connect your account"). */
  clientName: string
  /** Where Plaid posts webhooks for Items linked by this broker; null for none. */
  webhookUrl: string | null
}

export const PLAID_SETTINGS: readonly ProviderSetting[] = [
  { name: 'PLAID_CLIENT_ID', description: 'Plaid client_id (Dashboard > Developers > Keys).', secret: false },
  { name: 'PLAID_SECRET', description: 'Plaid secret for the environment PLAID_BASE_URL points to (sandbox and production secrets differ).', secret: true },
  { name: 'PLAID_CLIENT_NAME', description: 'Optional. Application name shown in Plaid Link (default "Bank Sync", at most 30 characters).', secret: false },
  { name: 'PLAID_WEBHOOK_URL', description: 'Optional. Public https URL of the broker\'s Plaid webhook route; Plaid sends SYNC_UPDATES_AVAILABLE and Item events there.', secret: false }
]

const KEY_SHAPE = /^[A-Za-z0-9_-]{8,128}$/

export function plaidCredentialsFromSettings (values: Record<string, string | undefined>): PlaidCredentials {
  const clientId = (values.PLAID_CLIENT_ID ?? '').trim()
  if (!KEY_SHAPE.test(clientId)) throw new Error('PLAID_CLIENT_ID: the Plaid client_id (8-128 letters, digits, "_" or "-")')
  const secret = (values.PLAID_SECRET ?? '').trim()
  if (!KEY_SHAPE.test(secret)) throw new Error('PLAID_SECRET: the Plaid secret (8-128 letters, digits, "_" or "-")')
  const clientName = (values.PLAID_CLIENT_NAME ?? '').trim() || 'Bank Sync'
  if (clientName.length > 30) throw new Error('PLAID_CLIENT_NAME: at most 30 characters (Plaid\'s limit for client_name)')
  const rawWebhook = (values.PLAID_WEBHOOK_URL ?? '').trim()
  let webhookUrl: string | null = null
  if (rawWebhook !== '') {
    let url: URL
    try { url = new URL(rawWebhook) } catch { throw new Error('PLAID_WEBHOOK_URL: an absolute http(s) URL') }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
      throw new Error('PLAID_WEBHOOK_URL: an absolute http(s) URL without credentials')
    }
    webhookUrl = url.toString()
  }
  return { clientId, secret, clientName, webhookUrl }
}

/** SANDBOX-ONLY keys accepted by the local Plaid sandbox (never valid at Plaid). */
export const PLAID_SANDBOX_CLIENT_ID = 'sandbox0client0id0000001'
export const PLAID_SANDBOX_SECRET = 'sandbox0secret000000000000000001'

/** The sandbox checks only the keys; `baseUrl` (where it is mounted) is not needed for them. */
export function plaidSandboxCredentials (_baseUrl?: string): PlaidCredentials {
  return { clientId: PLAID_SANDBOX_CLIENT_ID, secret: PLAID_SANDBOX_SECRET, clientName: 'Bank Sync', webhookUrl: null }
}
