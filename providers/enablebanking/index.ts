/**
 * Enable Banking (Nordics / Europe) provider module: settings, adapter factory and sandbox.
 * No AIS webhooks exist at Enable Banking, so the adapter has no `verifyWebhook` (the broker polls).
 */
import type { ProviderModule } from '../module.js'
import { createEnableBankingAdapter } from './adapter.js'
import { enableBankingSandbox } from './sandbox.js'
import { SANDBOX_APPLICATION_ID, SANDBOX_PRIVATE_KEY_PEM } from './sandbox-keys.js'
import { credentialsFromSettings, SETTINGS, type EnableBankingCredentials } from './settings.js'

export type { EnableBankingCredentials } from './settings.js'

export const enablebankingModule: ProviderModule<EnableBankingCredentials> = {
  id: 'enablebanking',
  displayName: 'Enable Banking',
  countries: ['FI', 'SE', 'NO', 'DK', 'DE', 'BE', 'NL', 'FR', 'ES', 'IT'],
  settings: SETTINGS,
  credentialsFromSettings,
  createAdapter: createEnableBankingAdapter,
  sandbox: {
    plugin: enableBankingSandbox,
    credentials: (_baseUrl: string) => ({ applicationId: SANDBOX_APPLICATION_ID, privateKeyPem: SANDBOX_PRIVATE_KEY_PEM })
  }
}
