/** Plaid (US, CA): settings, adapter factory and sandbox, as the broker loads them. */
import type { ProviderModule } from '../module.js'
import { createPlaidAdapter, PLAID_COUNTRIES } from './adapter.js'
import { PLAID_SETTINGS, plaidCredentialsFromSettings, plaidSandboxCredentials, type PlaidCredentials } from './credentials.js'
import { plaidSandboxPlugin } from './sandbox-plugin.js'

export type { PlaidCredentials } from './credentials.js'

export const plaidModule: ProviderModule<PlaidCredentials> = {
  id: 'plaid',
  displayName: 'Plaid',
  countries: PLAID_COUNTRIES,
  settings: PLAID_SETTINGS,
  credentialsFromSettings: plaidCredentialsFromSettings,
  createAdapter: createPlaidAdapter,
  sandbox: {
    plugin: plaidSandboxPlugin,
    credentials: plaidSandboxCredentials
  }
}
