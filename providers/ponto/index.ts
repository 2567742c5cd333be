/**
 * Ponto Connect (Isabel Group, Ibanity API) for Belgium, the Netherlands, France, Germany and
 * Luxembourg: settings, adapter factory and the local sandbox.
 */
import type { ProviderModule } from '../module.js'
import { createPontoAdapter } from './adapter.js'
import { pontoCredentialsFromSettings, pontoSandboxCredentials, pontoSettings, type PontoCredentials } from './credentials.js'
import { PONTO_COUNTRIES } from './institution-hints.js'
import { pontoSandbox } from './sandbox/plugin.js'

export type { PontoCredentials } from './credentials.js'

export const pontoModule: ProviderModule<PontoCredentials> = {
  id: 'ponto',
  displayName: 'Ponto',
  countries: PONTO_COUNTRIES,
  settings: pontoSettings,
  credentialsFromSettings: pontoCredentialsFromSettings,
  createAdapter: (deps, credentials) => createPontoAdapter(deps, credentials),
  sandbox: {
    plugin: pontoSandbox,
    credentials: pontoSandboxCredentials
  }
}
