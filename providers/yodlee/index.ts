/**
 * Yodlee (Envestnet | Yodlee): Core API v1.1 with client-credentials tokens, FastLink 4 for linking,
 * worldwide. Yodlee webhooks are unsigned (Yodlee advises allow-listing its IPs), so no verifyWebhook.
 */
import type { ProviderModule } from '../module.js'
import { createYodleeAdapter } from './adapter.js'
import { SANDBOX_CREDENTIALS, YODLEE_SETTINGS, credentialsFromSettings, type YodleeCredentials } from './credentials.js'
import { yodleeSandbox } from './sandbox/plugin.js'

export type { YodleeCredentials } from './credentials.js'

export const yodleeModule: ProviderModule<YodleeCredentials> = {
  id: 'yodlee',
  displayName: 'Yodlee',
  countries: ['US', 'GB', 'IN', 'AU'],
  settings: YODLEE_SETTINGS,
  credentialsFromSettings,
  createAdapter: (deps, credentials) => createYodleeAdapter(deps, credentials),
  sandbox: {
    plugin: yodleeSandbox,
    credentials: () => ({ ...SANDBOX_CREDENTIALS })
  }
}
