/**
 * Everything a request needs, built once from the config and injected into the app: Redis and
 * the stores on top of it, the secret box, the clock. Tests pass their own Redis and clock.
 */
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { createRedis, type RedisClient } from './store/redis.js'
import { createKeys } from './store/keys.js'
import { createSecretBox } from './crypto/secret-box.js'
import { createClientStore } from './store/clients.js'
import { createGateScript } from './store/gate-script.js'
import { createSubscriptionStore } from './store/subscriptions.js'
import { createExchangeTokens } from './store/exchange-tokens.js'
import { createErrorRecords } from './support/references.js'
import { createAudit } from './store/audit.js'
import { createMetrics } from './support/metrics.js'
import { createQuotas } from './store/quotas.js'
import { createProviderRegistry } from './providers/registry.js'
import type { Dispatcher } from 'undici'

export interface ServiceDeps {
  redis?: RedisClient
  now?: () => number
  /** Outbound HTTP for provider adapters (tests pass a MockAgent for fault cases). */
  dispatcher?: Dispatcher
}

export function createServices (config: Config, deps: ServiceDeps = {}) {
  const now = deps.now ?? Date.now
  const redis = deps.redis ?? createRedis(config)
  const keys = createKeys(config.keyPrefix)
  const box = createSecretBox(config.encryptionKeys)
  return {
    config,
    now,
    redis,
    ownsRedis: deps.redis === undefined,
    keys,
    box,
    clients: createClientStore(redis, keys, box, config.tokens, now),
    gate: createGateScript(redis, keys),
    subscriptions: createSubscriptionStore(redis, keys, now),
    exchangeTokens: createExchangeTokens(redis, keys, box, config.tokens.exchangeTtlSeconds),
    errors: createErrorRecords(redis, keys),
    audit: createAudit(redis, keys, now),
    metrics: createMetrics(),
    quotas: createQuotas(redis, keys, now),
    providers: createProviderRegistry(config, { dispatcher: deps.dispatcher, now }),
    /** Set by the app once the logger exists. */
    log: null as Logger | null
  }
}

export type Services = ReturnType<typeof createServices>
