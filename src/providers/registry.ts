/**
 * The broker's enabled providers: adapters built from configuration. In sandbox mode each provider
 * talks to its local sandbox (mounted under /sandbox/<id>) unless `<PROVIDER>_BASE_URL` is set; in
 * live mode real credentials are required. Base URLs are checked against SSRF before use.
 */
import type { Dispatcher } from 'undici'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { ConfigError } from '../config.js'
import { PROVIDER_MODULES } from '../../providers/index.js'
import type { ProviderAdapter, ProviderId } from '../../providers/types.js'
import { checkProviderBaseUrl } from './base-url.js'

export interface ProviderEntry {
  id: ProviderId
  adapter: ProviderAdapter
  baseUrl: string
  sandbox: boolean
}

export function sandboxBaseUrl (config: Config, id: ProviderId): string {
  return `${config.publicUrl}/sandbox/${id}`
}

export function createProviderRegistry (config: Config, deps: { dispatcher?: Dispatcher, logger?: Logger, now?: () => number } = {}) {
  const entries = new Map<ProviderId, ProviderEntry>()
  for (const id of config.enabledProviders) {
    const mod = PROVIDER_MODULES[id]
    const envName = `${id.toUpperCase()}_BASE_URL`
    const explicit = config.providerSettings[envName]
    const useSandbox = config.providerMode === 'sandbox' && (explicit === undefined || explicit === '')
    const baseUrl = useSandbox ? sandboxBaseUrl(config, id) : (explicit ?? '')
    if (!useSandbox) {
      if (baseUrl === '') throw new ConfigError(envName, `required in live mode: the ${mod.displayName} API base URL`)
      const problem = checkProviderBaseUrl(baseUrl, config.providerMode === 'live')
      if (problem !== null) throw new ConfigError(envName, problem)
    }
    let credentials: unknown
    try {
      credentials = useSandbox ? mod.sandbox.credentials(baseUrl) : mod.credentialsFromSettings(config.providerSettings)
    } catch (err) {
      const [variable, ...rest] = (err as Error).message.split(': ')
      throw new ConfigError(variable ?? id, rest.join(': ') || 'invalid')
    }
    const adapter = mod.createAdapter({ baseUrl, dispatcher: deps.dispatcher, logger: deps.logger?.child({ provider: id }), now: deps.now }, credentials)
    entries.set(id, { id, adapter, baseUrl, sandbox: useSandbox })
  }
  return {
    get (id: string): ProviderEntry | undefined { return entries.get(id as ProviderId) },
    list (): ProviderEntry[] { return [...entries.values()] },
    sandboxed (): ProviderEntry[] { return [...entries.values()].filter(e => e.sandbox) }
  }
}

export type ProviderRegistry = ReturnType<typeof createProviderRegistry>
