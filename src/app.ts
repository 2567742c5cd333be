/**
 * `buildApp(config, deps)`: the whole broker as a Fastify instance. It owns every Fastify option,
 * so tests and production validate, log and limit exactly alike.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { createServices, type ServiceDeps, type Services } from './services.js'
import { waitReady } from './store/redis.js'
import { logRedisErrors } from './store/redis-log.js'
import { lazyChildLogger, logDestination, loggerOptions } from './logger.js'
import requestContext from './plugins/request-context.js'
import accessLog from './plugins/access-log.js'
import errorHandler, { frameworkErrors } from './plugins/error-handler.js'
import { rateLimitPlugin } from './plugins/rate-limit.js'
import { registerSwagger } from './plugins/swagger.js'
import { healthRoutes } from './plugins/health.js'
import { proxyPlugin } from './proxy/index.js'
import { adminPlugin } from './admin/index.js'
import { OdooErrorSchema } from './schemas/proxy.js'
import { ProblemSchema } from './schemas/admin.js'
import { randomToken } from './crypto/tokens.js'
import { attachLinkData } from './link/attach.js'
import { sandboxRoutes } from './plugins/sandboxes.js'
import { webhookRoutes } from './webhooks/index.js'
import { linkPlugin } from './link/plugin.js'
import { consolePlugin } from './console/plugin.js'

export interface AppDeps extends ServiceDeps {
  /** A pino logger (tests pass one writing to a stream they read). */
  logger?: Logger
}

declare module 'fastify' {
  interface FastifyInstance { services: Services }
}

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/
/** Request ids only need to be unique, not secret: a random per-process prefix and a counter (no CSPRNG call per request). */
const REQUEST_ID_PREFIX = `req_${randomToken(9)}`
let requestCounter = 0
const nextRequestId = (): string => `${REQUEST_ID_PREFIX}${(requestCounter++).toString(36)}`

export async function buildApp (config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const services = createServices(config, deps)
  const app = Fastify({
    ...(deps.logger !== undefined ? { loggerInstance: deps.logger } : { logger: { ...loggerOptions(config.logLevel), stream: logDestination() } }),
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : nextRequestId()
    },
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger as unknown as NonNullable<FastifyServerOptions['childLoggerFactory']>,
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    keepAliveTimeout: 10_000,
    // Node checks these timeouts only every connectionsCheckingInterval (default 30 s), and its headers
    // timeout (default 60 s) must not exceed the request timeout: a slow-drip client is cut off on time.
    http: { connectionsCheckingInterval: 1_000, requestTimeout: config.requestTimeoutMs, headersTimeout: Math.min(60_000, config.requestTimeoutMs) },
    routerOptions: { maxParamLength: 100 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    frameworkErrors: frameworkErrors(services),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } }
  }) as unknown as FastifyInstance
  services.log = app.log as unknown as Logger
  logRedisErrors(services.redis, services.log)
  // Start even when Redis is down: every check then fails closed and /ready says why.
  await waitReady(services.redis).catch(err => app.log.warn({ err: (err as Error).message }, 'redis not ready at start'))
  app.decorate('services', services)
  app.addSchema(OdooErrorSchema)
  app.addSchema(ProblemSchema)
  await app.register(requestContext)
  await app.register(accessLog)
  await app.register(errorHandler, { services })
  await app.register(rateLimitPlugin, { services })
  await registerSwagger(app)
  await app.register(healthRoutes, { services })
  await app.register(proxyPlugin, { services, onClientCreated: attachLinkData(services) })
  await app.register(adminPlugin, { services })
  await app.register(linkPlugin, { services })
  await app.register(consolePlugin, { prefix: '/console', services })
  await app.register(webhookRoutes, { services })
  if (config.providerMode === 'sandbox') await app.register(sandboxRoutes, { services })
  app.addHook('onClose', async () => {
    if (services.ownsRedis) await services.redis.quit().catch(() => services.redis.disconnect())
  })
  return app
}
