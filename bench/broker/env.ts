/**
 * The environment of a broker under benchmark: its own key prefix on the real Redis, fresh keys,
 * and request limits lifted so that the benchmark measures the work, not the refusals.
 */
import { randomBytes, randomUUID } from 'node:crypto'

/** Read when a broker starts: the run may have started a private Redis (bench/machine.ts). */
export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Every limit a load test would trip, lifted; printed in the output so nobody mistakes it for production. */
export const LIFTED_LIMITS: Record<string, string> = {
  RATE_LIMIT_PROXY_CLIENT: '9999999',
  RATE_LIMIT_PROXY_IP: '9999999',
  DETECT_RATE_FLOOR: '9999999',
  DETECT_RATE_FACTOR: '9999999'
}

export function limitsNote (): string {
  return `limits lifted for the benchmark: ${Object.entries(LIFTED_LIMITS).map(([k, v]) => `${k}=${v}`).join(' ')}`
}

export function brokerEnv (port: number): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: `bench:${randomUUID().slice(0, 8)}:`,
    ENCRYPTION_KEYS: `b1:${randomBytes(32).toString('base64')}`,
    ADMIN_JWT_SECRET: randomBytes(32).toString('base64'),
    PROVIDER_MODE: 'sandbox',
    // production default: Fastify's two request lines per request, written to /dev/null here
    LOG_LEVEL: 'info',
    ...LIFTED_LIMITS
  }
}
