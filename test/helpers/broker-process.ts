/**
 * A real broker as a separate Node process (`node <dist>/src/server.js`, the production entry),
 * listening on a free loopback port with the given environment; resolves once `/ready` answers 200
 * (its Redis answers). Keeps the last log lines (pino JSON) for assertions and failure messages;
 * teardown sends SIGTERM, then SIGKILL if it has not exited after 5 s.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { freePort } from './net.js'

interface Teardown { teardown: (fn: () => unknown) => void }

/** The compiled server next to this compiled helper: <outDir>/test/helpers → <outDir>/src/server.js. */
const SERVER = fileURLToPath(new URL('../../src/server.js', import.meta.url))
const KEPT_LOG_LINES = 2_000
const READY_TIMEOUT_MS = 20_000

async function answersReady (base: string): Promise<boolean> {
  try {
    const res = await request(`${base}/ready`, { headersTimeout: 2_000, bodyTimeout: 2_000 })
    await res.body.dump()
    return res.statusCode === 200
  } catch {
    return false
  }
}

export const ADMIN_SECRET = 'cluster-test-admin-secret-that-is-long-enough-0123'

export interface BrokerProcess {
  base: string
  port: number
  pid: number
  /** The last log lines (stdout and stderr). */
  logs: () => string[]
  stop: () => Promise<void>
}

/** Settings every instance of one deployment shares: one Redis, the same keys and secrets. */
export function sharedBrokerEnv (redis: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    ADMIN_JWT_SECRET: ADMIN_SECRET,
    REDIS_KEY_PREFIX: `bsb${randomBytes(3).toString('hex')}:`,
    LOG_LEVEL: 'warn',
    ...redis,
    ...extra
  }
}

export async function startBroker (t: Teardown, env: Record<string, string>, port?: number): Promise<BrokerProcess> {
  const p = port ?? await freePort()
  const base = `http://127.0.0.1:${p}`
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(p), PUBLIC_URL: base, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: string[] = []
  const keep = (chunk: Buffer): void => {
    lines.push(...String(chunk).split('\n').filter(l => l.length > 0))
    if (lines.length > KEPT_LOG_LINES) lines.splice(0, lines.length - KEPT_LOG_LINES)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let exitCode: number | null = null
  // Safety net for a test process that dies before its teardown: never leave a broker behind.
  const killOnExit = (): void => { child.kill('SIGKILL') }
  process.once('exit', killOnExit)
  const exited = new Promise<void>(resolve => child.once('exit', code => { exitCode = code ?? -1; process.off('exit', killOnExit); resolve() }))
  const stop = async (): Promise<void> => {
    if (exitCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  t.teardown(stop)
  const started = Date.now()
  while (!await answersReady(base)) {
    if (exitCode !== null || Date.now() - started > READY_TIMEOUT_MS) {
      await stop()
      throw new Error(`broker ${base} did not become ready (exit code ${String(exitCode)}):\n${lines.slice(-20).join('\n')}`)
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return { base, port: p, pid: child.pid as number, logs: () => [...lines], stop }
}

/** Log lines that show a multi-key command spanning hash slots (Redis CROSSSLOT, or ioredis refusing a cross-slot pipeline). */
export function crossSlotLines (broker: BrokerProcess): string[] {
  return broker.logs().filter(l => /CROSSSLOT|belong to the same slot/i.test(l))
}
