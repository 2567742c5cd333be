/**
 * `npm start`: the broker with every sandbox provider, the Twilio sandbox and a Redis (the one at
 * REDIS_URL, or a private one it starts), ready for a newcomer in one command.
 */
import { resolve } from 'node:path'
import { loadConfig, ConfigError } from '../config.js'
import { buildApp } from '../app.js'
import { mintAdminToken } from '../admin/auth.js'
import { devSecrets } from './dev-secrets.js'
import { redisAnswers, redisServerInstalled, startPrivateRedis } from './local-redis.js'

const DATA_DIR = resolve(process.env.BANKSYNC_DATA_DIR ?? '.data')
const say = (line: string): void => { process.stdout.write(`${line}\n`) }

async function main (): Promise<void> {
  const env: Record<string, string | undefined> = { ...devSecrets(resolve(DATA_DIR, 'dev.env')), ...process.env }
  const wanted = env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  let stopRedis = (): void => {}
  if (await redisAnswers(wanted)) {
    say(`Using Redis at ${wanted}`)
  } else if (redisServerInstalled()) {
    const { url, child } = await startPrivateRedis(resolve(DATA_DIR, 'redis'))
    stopRedis = () => { child.kill('SIGTERM') }
    env.REDIS_URL = url
    say(`No Redis answered at ${wanted}; started a private redis-server at ${url} (AOF on, data in ${resolve(DATA_DIR, 'redis')})`)
  } else {
    process.stderr.write(`No Redis answered at ${wanted} and redis-server is not installed.\nFix: install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_URL to a reachable Redis.\n`)
    process.exit(1)
  }
  let config
  try {
    config = loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`configuration error: ${err.message}\n`); stopRedis(); process.exit(78) }
    throw err
  }
  const app = await buildApp(config)
  const shutdown = (): void => { app.close().finally(() => { stopRedis(); process.exit(0) }) }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  await app.listen({ port: config.port, host: config.host })
  const token = config.admin.secret !== null ? await mintAdminToken(config.admin, 'ops', 'npm-start', 86_400) : '(set ADMIN_JWT_SECRET)'
  say('')
  say(`banksync-broker is running at ${config.publicUrl} (providers: ${config.providerMode}, ${config.enabledProviders.join(', ')})`)
  say(`  Health / metrics:    ${config.publicUrl}/health  ${config.publicUrl}/metrics`)
  say(`  SMS sandbox outbox:  ${config.publicUrl}/sandbox/twilio/outbox`)
  if (config.providerMode === 'sandbox') say(`  Demo Odoo page:      ${config.publicUrl}/demo  (add a bank account like in Odoo)`)
  say(`  Ops console:         ${config.publicUrl}/console  (sign in with the ops token below)`)
  say(`  Ops token (24 h):    ${token}`)
  say(`  CLI:                 ADMIN_JWT_SECRET=$(grep ADMIN_JWT_SECRET ${resolve(DATA_DIR, 'dev.env')} | cut -d= -f2) npx banksync help`)
}

main().catch(err => {
  process.stderr.write(`fatal: ${(err as Error).message}\n`)
  process.exit(1)
})
