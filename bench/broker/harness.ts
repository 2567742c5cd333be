/**
 * A broker under benchmark: the production entry (src/server.js) in a child process, plus a
 * "control" instance of the same app in this process (same Redis prefix and keys, never listening)
 * that does what the link pop-up and ops would do: mint exchange tokens, set subscriptions, seed.
 * Closing removes every key under the prefix.
 */
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../../src/config.js'
import { buildApp } from '../../src/app.js'
import { freePort } from '../../src/dev/local-redis.js'
import { deleteByPrefix } from '../../test/helpers/app.js'
import { startServer, type ServerProcess } from '../processes.js'
import { brokerEnv } from './env.js'

export interface BrokerUnderTest {
  server: ServerProcess
  control: FastifyInstance
  config: Config
  close: () => Promise<void>
}

/** `nodeOptions`: flags for the broker process only (NODE_OPTIONS), e.g. a heap cap. */
export async function startBroker (nodeOptions = ''): Promise<BrokerUnderTest> {
  const port = await freePort()
  const env = brokerEnv(port)
  const server = await startServer('../src/server.js', nodeOptions === '' ? env : { ...env, NODE_OPTIONS: nodeOptions }, port, '/health')
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' })
  const cleanKeys = async (): Promise<void> => {
    const redis = new Redis(config.redisUrl)
    try { await deleteByPrefix(redis, config.keyPrefix) } finally { await redis.quit() }
  }
  let control: FastifyInstance
  try {
    control = await buildApp(config)
    await control.ready()
  } catch (err) {
    await server.stop()
    await cleanKeys()
    throw err
  }
  const close = async (): Promise<void> => {
    await server.stop()
    await control.close()
    await cleanKeys()
  }
  return { server, control, config, close }
}
