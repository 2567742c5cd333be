/**
 * Configuration from environment variables, validated once at start. A bad or missing value
 * throws `ConfigError` whose message is one line naming the variable and what is expected.
 * This is the only module that reads `process.env`.
 */
import { PROVIDER_IDS, type ProviderId } from '../providers/types.js'
import { parseSetting, settingsTable, type SettingSpec } from './config-spec.js'
import { redisTopologyProblem } from './store/redis.js'

export class ConfigError extends Error {
  constructor (variable: string, expected: string) {
    super(`${variable}: ${expected}`)
    this.name = 'ConfigError'
  }
}

export type ProviderMode = 'sandbox' | 'live'

export interface Config {
  port: number
  host: string
  publicUrl: string
  redisUrl: string
  redisMode: 'standalone' | 'cluster' | 'sentinel'
  redisSentinelName: string
  keyPrefix: string
  /** AES-256-GCM keys by id; the first one encrypts, all decrypt (rotation). */
  encryptionKeys: Array<{ id: string, key: Buffer }>
  admin: {
    secret: Buffer | null
    jwksUrl: string | null
    algorithm: string
    issuer: string
    audience: string
  }
  logLevel: string
  trustProxy: boolean
  providerMode: ProviderMode
  enabledProviders: ProviderId[]
  sandboxSeed: string
  /** Providers whose consent opens in a separate window because their pages refuse framing. */
  linkWindowProviders: ProviderId[]
  /** Raw per-provider settings (`PLAID_CLIENT_ID`, …); provider modules parse them. */
  providerSettings: Record<string, string | undefined>
  tokens: {
    accessTtlSeconds: number
    refreshTtlSeconds: number
    refreshGraceSeconds: number
    exchangeTtlSeconds: number
    signatureWindowSeconds: number
  }
  twilio: { accountSid: string, authToken: string, serviceSid: string }
  bodyLimitBytes: number
  requestTimeoutMs: number
  /** Suspicious-activity rules (src/locks/detect.ts): a rule fires when its count reaches `count` within `windowSeconds`. */
  detection: {
    badSignatures: DetectionRule
    foreignDb: DetectionRule
    linkBurst: DetectionRule
    psuIps: DetectionRule
    wrongCodes: DetectionRule
    rateFactor: number
    rateFloor: number
  }
  rateLimits: { windowMs: number, proxyPerClient: number, proxyPerIp: number, adminPerIp: number, adminPerUser: number }
  smsLimits: { perPhone: number, perDb: number }
}

export interface DetectionRule { count: number, windowSeconds: number }

export const SETTINGS: readonly SettingSpec[] = [
  { name: 'PORT', default: '3000', kind: 'port', description: 'TCP port the broker listens on.' },
  { name: 'HOST', default: '127.0.0.1', kind: 'string', description: 'Interface to bind (`0.0.0.0` in containers).' },
  { name: 'PUBLIC_URL', default: '', kind: 'url', description: 'Base URL browsers and Odoo use to reach the broker (link pages, provider redirects). Default `http://<HOST>:<PORT>`.' },
  { name: 'REDIS_URL', default: 'redis://127.0.0.1:6379', kind: 'redis-url', description: 'Redis (the only datastore). For a cluster or Sentinel, a comma-separated list of nodes.' },
  { name: 'REDIS_MODE', default: 'standalone', kind: 'enum:standalone,cluster,sentinel', description: 'How to reach Redis.' },
  { name: 'REDIS_SENTINEL_NAME', default: 'mymaster', kind: 'string', description: 'Sentinel master name (REDIS_MODE=sentinel).' },
  { name: 'REDIS_KEY_PREFIX', default: 'bsb:', kind: 'prefix', description: 'Prefix of every key the broker writes.' },
  { name: 'ENCRYPTION_KEYS', default: null, secret: true, kind: 'keys', description: 'Keys for secrets at rest: `id:base64(32 bytes)` comma-separated; the first encrypts, all decrypt. Generate with `banksync keygen`.' },
  { name: 'ADMIN_JWT_SECRET', default: '', secret: true, kind: 'secret32', description: 'Shared secret (≥ 32 bytes) verifying admin JWTs (HS256). Either this or ADMIN_JWKS_URL.' },
  { name: 'ADMIN_JWKS_URL', default: '', kind: 'url', description: 'JWKS URL for admin JWTs (RS256/ES256/EdDSA per ADMIN_JWT_ALG) instead of a shared secret.' },
  { name: 'ADMIN_JWT_ALG', default: 'HS256', kind: 'enum:HS256,RS256,ES256,EdDSA', description: 'The one algorithm admin JWTs may use.' },
  { name: 'ADMIN_JWT_ISSUER', default: 'banksync-broker', kind: 'string', description: 'Required `iss` of admin JWTs.' },
  { name: 'ADMIN_JWT_AUDIENCE', default: 'banksync-admin', kind: 'string', description: 'Required `aud` of admin JWTs.' },
  { name: 'LOG_LEVEL', default: 'info', kind: 'enum:fatal,error,warn,info,debug,trace,silent', description: 'pino log level.' },
  { name: 'TRUST_PROXY', default: 'false', kind: 'bool', description: 'Trust `X-Forwarded-For` (only behind your own load balancer).' },
  { name: 'PROVIDER_MODE', default: 'sandbox', kind: 'enum:sandbox,live', description: '`sandbox` mounts the local provider and Twilio sandboxes and talks to them unless `<PROVIDER>_BASE_URL` is set; `live` needs real credentials.' },
  { name: 'PROVIDERS', default: PROVIDER_IDS.join(','), kind: 'providers', description: 'Enabled aggregators, comma-separated.' },
  { name: 'SANDBOX_SEED', default: 'banksync', kind: 'string', description: 'Seed of the sandbox banks\' deterministic data.' },
  { name: 'LINK_WINDOW_PROVIDERS', default: '', kind: 'providers-or-none', description: 'Providers whose consent pages refuse to be framed (`X-Frame-Options`, CSP `frame-ancestors`): the link pop-up opens their consent in a separate browser window. In sandbox mode these providers\' sandbox pages send `X-Frame-Options: DENY`, to exercise it.' },
  { name: 'ACCESS_TOKEN_TTL', default: '3600', kind: 'seconds', description: 'Lifetime of an access token (seconds); expired ones get error 101.' },
  { name: 'REFRESH_TOKEN_TTL', default: '7776000', kind: 'seconds', description: 'Lifetime of a refresh token (seconds, default 90 days); expired ones get error 102.' },
  { name: 'REFRESH_GRACE', default: '300', kind: 'seconds', description: 'How long the previous refresh token still signs after `renew_token` (seconds).' },
  { name: 'EXCHANGE_TOKEN_TTL', default: '600', kind: 'seconds', description: 'Lifetime of the single-use exchange token the link flow mints (seconds).' },
  { name: 'SIGNATURE_WINDOW', default: '300', kind: 'seconds', description: 'Accepted clock skew of `odoofin-timestamp` (seconds).' },
  { name: 'TWILIO_ACCOUNT_SID', default: 'ACsandbox0000000000000000000000000', kind: 'string', description: 'Twilio account SID (Verify). The default only works in sandbox mode.' },
  { name: 'TWILIO_AUTH_TOKEN', default: 'sandbox-auth-token', secret: true, kind: 'string', description: 'Twilio auth token.' },
  { name: 'TWILIO_VERIFY_SERVICE_SID', default: 'VAsandbox0000000000000000000000000', kind: 'string', description: 'Twilio Verify service SID.' },
  { name: 'BODY_LIMIT', default: '1048576', kind: 'bytes', description: 'Largest accepted request body (bytes).' },
  { name: 'REQUEST_TIMEOUT', default: '30000', kind: 'ms', description: 'Server-side request timeout (ms).' },
  { name: 'DETECT_BAD_SIGNATURES', default: '10', kind: 'string', description: 'Bad signatures for one client (with its current access token) within DETECT_BAD_SIGNATURES_WINDOW that lock the client.' },
  { name: 'DETECT_BAD_SIGNATURES_WINDOW', default: '300', kind: 'seconds', description: 'Window of DETECT_BAD_SIGNATURES (seconds).' },
  { name: 'DETECT_FOREIGN_DB', default: '1', kind: 'string', description: 'Signed requests of a client from another `db_uuid` within DETECT_FOREIGN_DB_WINDOW that lock the client.' },
  { name: 'DETECT_FOREIGN_DB_WINDOW', default: '86400', kind: 'seconds', description: 'Window of DETECT_FOREIGN_DB (seconds).' },
  { name: 'DETECT_LINK_BURST', default: '10', kind: 'string', description: 'Links created (`exchange_token`) for one database within DETECT_LINK_BURST_WINDOW that lock every client of the database.' },
  { name: 'DETECT_LINK_BURST_WINDOW', default: '3600', kind: 'seconds', description: 'Window of DETECT_LINK_BURST (seconds).' },
  { name: 'DETECT_PSU_IPS', default: '20', kind: 'string', description: 'Distinct end-user IPs (`utils.psu_info.ip`) for one client within DETECT_PSU_IPS_WINDOW that lock the client.' },
  { name: 'DETECT_PSU_IPS_WINDOW', default: '3600', kind: 'seconds', description: 'Window of DETECT_PSU_IPS (seconds).' },
  { name: 'DETECT_WRONG_CODES', default: '10', kind: 'string', description: 'Wrong SMS codes for one database within DETECT_WRONG_CODES_WINDOW that lock every client of the database.' },
  { name: 'DETECT_WRONG_CODES_WINDOW', default: '3600', kind: 'seconds', description: 'Window of DETECT_WRONG_CODES (seconds).' },
  { name: 'DETECT_RATE_FACTOR', default: '10', kind: 'string', description: 'A client is locked when its requests in one minute exceed this many times its normal rate (average of its active minutes)…' },
  { name: 'DETECT_RATE_FLOOR', default: '300', kind: 'string', description: '…and exceed this floor (requests per minute; also the limit before a normal is known).' },
  { name: 'RATE_LIMIT_WINDOW', default: '60', kind: 'seconds', description: 'Window of the request rate limits (seconds).' },
  { name: 'RATE_LIMIT_PROXY_CLIENT', default: '600', kind: 'string', description: '`/proxy/*` requests per client id per window.' },
  { name: 'RATE_LIMIT_PROXY_IP', default: '20000', kind: 'string', description: '`/proxy/*` requests per source IP per window (Odoo SaaS serves many databases from few IPs).' },
  { name: 'RATE_LIMIT_ADMIN_IP', default: '600', kind: 'string', description: '`/admin/*` requests per source IP per window.' },
  { name: 'RATE_LIMIT_ADMIN_USER', default: '300', kind: 'string', description: '`/admin/*` requests per admin (JWT `sub`) per window.' },
  { name: 'SMS_SENDS_PER_PHONE', default: '5', kind: 'string', description: 'Ops unlock codes allowed per phone number per 10 minutes (the link flow\'s sends to that phone count too).' },
  { name: 'SMS_SENDS_PER_DB', default: '10', kind: 'string', description: 'Ops unlock codes allowed per database per 24 hours (the link flow\'s sends count too).' }
]

/** Reads and validates the environment. Throws `ConfigError` on the first bad value. */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const v = (name: string): string => parseSetting(SETTINGS, env, name, (variable, expected) => new ConfigError(variable, expected))
  const port = Number(v('PORT'))
  const host = v('HOST')
  const publicUrl = (v('PUBLIC_URL') || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(/\/$/, '')
  const secret = v('ADMIN_JWT_SECRET')
  const jwksUrl = v('ADMIN_JWKS_URL')
  const algorithm = v('ADMIN_JWT_ALG')
  if (secret === '' && jwksUrl === '') throw new ConfigError('ADMIN_JWT_SECRET', 'set a shared secret of at least 32 bytes, or set ADMIN_JWKS_URL')
  if (secret !== '' && algorithm !== 'HS256') throw new ConfigError('ADMIN_JWT_ALG', 'must be HS256 when ADMIN_JWT_SECRET is used')
  if (secret === '' && algorithm === 'HS256') throw new ConfigError('ADMIN_JWT_ALG', 'must be an asymmetric algorithm (RS256, ES256, EdDSA) with ADMIN_JWKS_URL')
  // Counts use the 'string' kind and are checked here: config-spec.ts has no count kind.
  const count = (name: string): number => {
    const text = v(name)
    if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw new ConfigError(name, 'expected a positive whole number')
    return Number(text)
  }
  const rule = (name: string): DetectionRule => ({ count: count(name), windowSeconds: Number(v(`${name}_WINDOW`)) })
  const redisUrl = v('REDIS_URL')
  const redisMode = v('REDIS_MODE') as Config['redisMode']
  const redisProblem = redisTopologyProblem(redisMode, redisUrl)
  if (redisProblem !== null) throw new ConfigError('REDIS_URL', redisProblem)
  const providerSettings: Record<string, string | undefined> = {}
  for (const [k, val] of Object.entries(env)) {
    if (/^(PLAID|YODLEE|SALTEDGE|PONTO|ENABLEBANKING)_/.test(k)) providerSettings[k] = val
  }
  return {
    port,
    host,
    publicUrl,
    redisUrl,
    redisMode,
    redisSentinelName: v('REDIS_SENTINEL_NAME'),
    keyPrefix: v('REDIS_KEY_PREFIX'),
    encryptionKeys: parseKeys(v('ENCRYPTION_KEYS')),
    admin: {
      secret: secret === '' ? null : Buffer.from(secret, 'utf8'),
      jwksUrl: jwksUrl === '' ? null : jwksUrl,
      algorithm,
      issuer: v('ADMIN_JWT_ISSUER'),
      audience: v('ADMIN_JWT_AUDIENCE')
    },
    logLevel: v('LOG_LEVEL'),
    trustProxy: v('TRUST_PROXY') === 'true',
    providerMode: v('PROVIDER_MODE') as ProviderMode,
    enabledProviders: v('PROVIDERS').split(',').map(s => s.trim()).filter(Boolean) as ProviderId[],
    sandboxSeed: v('SANDBOX_SEED'),
    linkWindowProviders: v('LINK_WINDOW_PROVIDERS').split(',').map(s => s.trim()).filter(Boolean) as ProviderId[],
    providerSettings,
    tokens: {
      accessTtlSeconds: Number(v('ACCESS_TOKEN_TTL')),
      refreshTtlSeconds: Number(v('REFRESH_TOKEN_TTL')),
      refreshGraceSeconds: Number(v('REFRESH_GRACE')),
      exchangeTtlSeconds: Number(v('EXCHANGE_TOKEN_TTL')),
      signatureWindowSeconds: Number(v('SIGNATURE_WINDOW'))
    },
    twilio: { accountSid: v('TWILIO_ACCOUNT_SID'), authToken: v('TWILIO_AUTH_TOKEN'), serviceSid: v('TWILIO_VERIFY_SERVICE_SID') },
    bodyLimitBytes: Number(v('BODY_LIMIT')),
    requestTimeoutMs: Number(v('REQUEST_TIMEOUT')),
    detection: {
      badSignatures: rule('DETECT_BAD_SIGNATURES'),
      foreignDb: rule('DETECT_FOREIGN_DB'),
      linkBurst: rule('DETECT_LINK_BURST'),
      psuIps: rule('DETECT_PSU_IPS'),
      wrongCodes: rule('DETECT_WRONG_CODES'),
      rateFactor: count('DETECT_RATE_FACTOR'),
      rateFloor: count('DETECT_RATE_FLOOR')
    },
    rateLimits: {
      windowMs: Number(v('RATE_LIMIT_WINDOW')) * 1000,
      proxyPerClient: count('RATE_LIMIT_PROXY_CLIENT'),
      proxyPerIp: count('RATE_LIMIT_PROXY_IP'),
      adminPerIp: count('RATE_LIMIT_ADMIN_IP'),
      adminPerUser: count('RATE_LIMIT_ADMIN_USER')
    },
    smsLimits: { perPhone: count('SMS_SENDS_PER_PHONE'), perDb: count('SMS_SENDS_PER_DB') }
  }
}

function parseKeys (text: string): Config['encryptionKeys'] {
  return text.split(',').map(part => {
    const [id, b64] = part.trim().split(':')
    return { id: id as string, key: Buffer.from(b64 as string, 'base64') }
  })
}

/** Markdown rows for the README configuration table (kept in sync by a test). */
export function configTableMarkdown (): string {
  return settingsTable(SETTINGS)
}
