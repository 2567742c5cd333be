/**
 * REDIS_URL for each REDIS_MODE: a cluster or Sentinel takes a list of nodes whose scheme (TLS)
 * and credentials reach every connection; a list in standalone mode, mixed schemes or mixed
 * credentials stop the start with a message naming REDIS_URL instead of half applying.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { Cluster, Redis } from 'ioredis'
import { ConfigError, loadConfig } from '../../src/config.js'
import { createRedis, parseRedisEndpoints, redisTopologyProblem } from '../../src/store/redis.js'

const BASE = { ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, ADMIN_JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent' }

t.test('a list of nodes: host:port or URLs, credentials and TLS shared by all', async t => {
  t.same(parseRedisEndpoints('10.0.0.1:7000, 10.0.0.2:7001,10.0.0.3'), {
    hosts: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '10.0.0.3', port: 6379 }], tls: false, username: undefined, password: undefined
  })
  t.same(parseRedisEndpoints('rediss://app:s%40cret@redis-a.internal:6380,rediss://redis-b.internal:6380'), {
    hosts: [{ host: 'redis-a.internal', port: 6380 }, { host: 'redis-b.internal', port: 6380 }], tls: true, username: 'app', password: 's@cret'
  }, 'credentials given once apply to every node; rediss:// means TLS')
  t.same(parseRedisEndpoints('redis://[::1]:7000').hosts, [{ host: '::1', port: 7000 }], 'IPv6 literal')
  t.throws(() => parseRedisEndpoints('rediss://a:1,redis://b:2'), /same scheme/)
  t.throws(() => parseRedisEndpoints('redis://:one@a:1,redis://:two@b:2'), /different credentials/)
  t.throws(() => parseRedisEndpoints('redis://a:1/2'), /no database number/)
  t.throws(() => parseRedisEndpoints(' , '), /at least one/)
})

t.test('a wrong REDIS_URL for the mode stops the start, naming REDIS_URL', async t => {
  t.equal(redisTopologyProblem('standalone', 'redis://127.0.0.1:6379/2'), null)
  t.match(redisTopologyProblem('standalone', 'redis://a:1,redis://b:2'), /REDIS_MODE=cluster or sentinel/)
  t.match(redisTopologyProblem('standalone', '127.0.0.1:6379'), /redis:\/\/ or rediss:\/\/ URL/)
  t.equal(redisTopologyProblem('sentinel', '127.0.0.1:26379,127.0.0.1:26380'), null)
  const err = (() => { try { loadConfig({ ...BASE, REDIS_MODE: 'cluster', REDIS_URL: 'rediss://a:1,redis://b:2' }); return null } catch (e) { return e } })()
  t.ok(err instanceof ConfigError, 'a ConfigError (exit 78 with one line)')
  t.match((err as Error).message, /REDIS_URL/)
  t.equal(loadConfig({ ...BASE, REDIS_MODE: 'cluster', REDIS_URL: '127.0.0.1:7000,127.0.0.1:7001' }).redisMode, 'cluster')
})

t.test('the cluster and Sentinel clients carry TLS and credentials to every connection and stay fail-closed', async t => {
  const cluster = createRedis({ redisMode: 'cluster', redisUrl: 'rediss://app:pw@127.0.0.1:1,rediss://127.0.0.1:2', redisSentinelName: 'mymaster' })
  cluster.on('error', () => {})
  t.teardown(() => cluster.disconnect())
  t.ok(cluster instanceof Cluster)
  const nodeOptions = (cluster as Cluster).options.redisOptions ?? {}
  t.same([nodeOptions.username, nodeOptions.password, nodeOptions.tls], ['app', 'pw', {}], 'every node connection authenticates over TLS')
  t.equal((cluster as Cluster).options.enableOfflineQueue, false, 'commands fail at once while the cluster is unreachable')

  const sentinel = createRedis({ redisMode: 'sentinel', redisUrl: 'redis://:pw@127.0.0.1:3', redisSentinelName: 'prod' })
  sentinel.on('error', () => {})
  t.teardown(() => sentinel.disconnect())
  const o = (sentinel as Redis).options
  t.same([o.name, o.password, o.sentinelPassword, o.failoverDetector, o.enableOfflineQueue], ['prod', 'pw', 'pw', true, false],
    'master and sentinels authenticate; failovers are followed at once; no offline queue')
})
