/**
 * The Salt Edge (API v6) provider module: settings, adapter factory and sandbox.
 */
import type { ProviderModule } from '../module.js'
import { createSaltEdgeAdapter } from './adapter.js'
import { credentialsFromSettings, SALTEDGE_SETTINGS, type SaltEdgeCredentials } from './credentials.js'
import { saltEdgeSandbox, SANDBOX_APP_ID, SANDBOX_SECRET } from './sandbox/plugin.js'
import { SANDBOX_CLIENT_PRIVATE_KEY, SANDBOX_SALTEDGE_PUBLIC_KEY } from './sandbox-keys.js'

export type { SaltEdgeCredentials } from './credentials.js'

/** The real API base (`SALTEDGE_BASE_URL` in live mode); the sandbox serves the same paths at its mount URL. */
export const SALTEDGE_API_BASE_URL = 'https://www.saltedge.com/api/v6'

/** Salt Edge is worldwide; these are the countries the broker offers it in (XF = Salt Edge's fake country). */
const COUNTRIES = ['AT', 'BE', 'BG', 'CH', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GB', 'GR', 'HR', 'HU', 'IE', 'IS', 'IT', 'LI', 'LT', 'LU', 'LV', 'MT', 'NL', 'NO', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'XF'] as const

export const saltedgeModule: ProviderModule<SaltEdgeCredentials> = {
  id: 'saltedge',
  displayName: 'Salt Edge',
  countries: COUNTRIES,
  settings: SALTEDGE_SETTINGS,
  credentialsFromSettings,
  createAdapter: (deps, credentials) => createSaltEdgeAdapter(deps, credentials),
  sandbox: {
    plugin: saltEdgeSandbox,
    credentials: () => ({
      appId: SANDBOX_APP_ID,
      secret: SANDBOX_SECRET,
      privateKeyPem: SANDBOX_CLIENT_PRIVATE_KEY,
      callbackPublicKeyPem: SANDBOX_SALTEDGE_PUBLIC_KEY
    })
  }
}
