/**
 * What each provider folder exports: its adapter factory, its settings (environment variables,
 * parsed by the broker's config loader) and its sandbox.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Dispatcher } from 'undici'
import type { ProviderAdapter, ProviderDeps, ProviderId } from './types.js'

export interface ProviderSetting {
  /** Environment variable, e.g. `PLAID_CLIENT_ID`. */
  name: string
  description: string
  /** Secrets are never logged and never echoed in errors. */
  secret: boolean
}

export interface SandboxOptions {
  /** Seed for the deterministic bank data. */
  seed: string
  /** Absolute URL where this sandbox is mounted, e.g. `http://127.0.0.1:3000/sandbox/plaid`. */
  baseUrl: string
  /** Sandbox clock (ms since epoch). */
  now?: () => number
  /** How long the flaky bank's slow answers take (ms). */
  slowMs?: number
  /** Used to deliver webhooks/callbacks. */
  dispatcher?: Dispatcher
  /** Where to deliver webhooks/callbacks (the broker's webhook route for this provider). */
  webhookUrl?: string
}

export interface ProviderModule<C = unknown> {
  id: ProviderId
  displayName: string
  /** Countries the provider serves (ISO alpha-2). */
  countries: readonly string[]
  /** Settings read from the environment; all required unless the provider runs against its sandbox. */
  settings: readonly ProviderSetting[]
  /** Builds credentials from the settings; throws `Error('<VAR>: <what is expected>')` on a bad value. */
  credentialsFromSettings: (values: Record<string, string | undefined>) => C
  createAdapter: (deps: ProviderDeps, credentials: C) => ProviderAdapter
  sandbox: {
    /** Fastify plugin serving the provider's real API shape; register it with a prefix. */
    plugin: FastifyPluginAsync<SandboxOptions>
    /** Credentials that the sandbox mounted at `baseUrl` accepts (test keys only). */
    credentials: (baseUrl: string) => C
  }
}
