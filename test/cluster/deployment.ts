/**
 * Two broker processes sharing one Redis topology, as behind a load balancer. Both talk to the
 * same bank: broker 1 serves the Ponto sandbox, broker 2 is configured (PONTO_BASE_URL and the
 * sandbox's client credentials) to call broker 1's, like two instances calling the real Ponto API.
 * Each broker has its own PUBLIC_URL and its own Twilio sandbox (in process memory).
 */
import { request } from 'undici'
import { mintAdminToken, type AdminRole } from '../../src/admin/auth.js'
import { SANDBOX_APPLICATION_ID, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../../providers/ponto/sandbox-keys.js'
import { ADMIN_SECRET, sharedBrokerEnv, startBroker, type BrokerProcess } from '../helpers/broker-process.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface Deployment { b1: BrokerProcess, b2: BrokerProcess, brokers: BrokerProcess[], keyPrefix: string }

export async function startDeployment (t: Teardown, redis: Record<string, string>, extra: Record<string, string> = {}): Promise<Deployment> {
  const env = sharedBrokerEnv(redis, { PROVIDERS: 'ponto', ...extra })
  const b1 = await startBroker(t, env)
  const ponto = `${b1.base}/sandbox/ponto`
  const b2 = await startBroker(t, {
    ...env,
    PONTO_BASE_URL: ponto,
    PONTO_CLIENT_ID: SANDBOX_CLIENT_ID,
    PONTO_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
    PONTO_APPLICATION_ID: SANDBOX_APPLICATION_ID,
    PONTO_AUTHORIZATION_URL: `${ponto}/oauth2/auth`
  })
  return { b1, b2, brokers: [b1, b2], keyPrefix: env.REDIS_KEY_PREFIX as string }
}

export async function adminToken (role: AdminRole = 'ops'): Promise<string> {
  return await mintAdminToken({ secret: Buffer.from(ADMIN_SECRET, 'utf8'), issuer: 'banksync-broker', audience: 'banksync-admin' }, role, 'cluster-test')
}

/** An admin API call with an ops token: the HTTP status and the parsed JSON body. */
export async function adminCall (broker: BrokerProcess, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number, body: any, headers: Record<string, unknown> }> {
  const res = await request(`${broker.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined
  })
  const text = await res.body.text()
  return { status: res.statusCode, body: text === '' ? null : JSON.parse(text), headers: res.headers }
}

export async function provision (broker: BrokerProcess, db: string): Promise<void> {
  const r = await adminCall(broker, 'PUT', `/admin/subscriptions/${db}`, { edition: 'enterprise', expires_on: '2099-12-31' })
  if (r.status !== 200) throw new Error(`provisioning ${db} answered ${r.status}: ${JSON.stringify(r.body)}`)
}

/** The latest code a broker's Twilio sandbox "sent" to `phone`. */
export async function lastSmsCode (broker: BrokerProcess, phone: string): Promise<string> {
  const res = await request(`${broker.base}/sandbox/twilio/outbox?to=${encodeURIComponent(phone)}`)
  const sent = await res.body.json() as Array<{ code: string }>
  const last = sent[sent.length - 1]
  if (last === undefined) throw new Error(`no SMS to ${phone} in ${broker.base}'s outbox`)
  return last.code
}

/** A fresh Belgian mobile number, so runs never share SMS limits. */
export const freshPhone = (): string => `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`
