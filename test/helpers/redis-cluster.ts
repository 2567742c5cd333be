/**
 * Real multi-node Redis topologies on loopback, for the "beyond one machine" tests: a three-master
 * Redis Cluster (`redis-cli --cluster create`), and Sentinel (one master, one replica, one
 * sentinel). Every node runs in its own temp dir on free ports; teardown kills the processes and
 * removes the dirs. Never touches the Redis on 6379.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { freePort } from './net.js'

interface Teardown { teardown: (fn: () => unknown) => void }

const run = promisify(execFile)
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/** Polls `check` every 100 ms until it holds; throws naming `what` after `timeoutMs`, or at once when `gaveUp` says why. */
export async function waitFor (what: string, check: () => Promise<boolean>, timeoutMs = 15_000, gaveUp: () => string | null = () => null): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    const reason = gaveUp()
    if (reason !== null) throw new Error(`${what}: ${reason}`)
    if (await check().catch(() => false)) return Date.now() - started
    await sleep(100)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** Runs one command on one node over a short-lived connection. */
export async function onNode<T> (port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return await fn(redis)
  } finally {
    redis.disconnect()
  }
}

const infoField = (info: string, field: string): string | null => new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? null

interface Spawned { port: number, stop: () => Promise<void> }

/** One redis-server (or sentinel) process; resolves once it answers PING. */
async function spawnRedis (args: string[], port: number): Promise<Spawned> {
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' })
  let exited = false
  // Safety net for a test process that dies before its teardown: never leave a server behind.
  const killOnExit = (): void => { child.kill('SIGKILL') }
  process.once('exit', killOnExit)
  child.once('exit', () => { exited = true; process.off('exit', killOnExit) })
  await waitFor(`redis on port ${port}`, async () => await onNode(port, async r => await r.ping() === 'PONG'), 10_000,
    () => exited ? 'redis-server exited at start' : null)
  const stop = async (): Promise<void> => {
    if (exited) return
    await new Promise<void>(resolve => { child.once('exit', () => resolve()); child.kill('SIGKILL') })
  }
  return { port, stop }
}

function tempDir (t: Teardown, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bsb-${name}-`))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface RedisClusterHandle {
  /** `REDIS_URL` for REDIS_MODE=cluster: the seed nodes, comma-separated. */
  url: string
  /** The masters' ports, as created. */
  ports: number[]
  /** Keys stored on each master (DBSIZE), in `ports` order. */
  keysPerNode: () => Promise<number[]>
  /** The cluster's own answer to CLUSTER KEYSLOT. */
  keySlot: (key: string) => Promise<number>
  /** The port of the node serving `slot` now, and of its replicas, as the live nodes see it. */
  nodesOfSlot: (slot: number) => Promise<{ master: number, replicas: number[] }>
  /** SIGKILL of one node: a crash. */
  kill: (port: number) => Promise<void>
}

export interface ClusterOptions {
  masters?: number
  /** Replicas per master (`--cluster-replicas`); with one, a killed master's replica takes over. */
  replicas?: number
  /** `cluster-node-timeout`: how long a silent master is waited for before its replica is promoted. */
  nodeTimeoutMs?: number
}

/** Three masters without replicas by default, slots split evenly by `redis-cli --cluster create`. */
export async function startRedisCluster (t: Teardown, options: ClusterOptions = {}): Promise<RedisClusterHandle> {
  const { masters = 3, replicas = 0, nodeTimeoutMs = 15_000 } = options
  const dir = tempDir(t, 'cluster')
  const nodes: Spawned[] = []
  t.teardown(async () => { await Promise.all(nodes.map(n => n.stop())) })
  for (let i = 0; i < masters * (1 + replicas); i++) {
    const port = await freePort()
    // An explicit bus port: the default (port + 10000) may be taken or above 65535.
    const busPort = await freePort()
    nodes.push(await spawnRedis(['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--dir', dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', String(nodeTimeoutMs),
      '--appendonly', 'no', '--save', ''], port))
  }
  const addresses = nodes.map(n => `127.0.0.1:${n.port}`)
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 })
  for (const n of nodes) {
    await waitFor(`cluster_state:ok on ${n.port}`, async () => infoField(await onNode(n.port, async r => String(await r.call('CLUSTER', 'INFO'))), 'cluster_state') === 'ok')
  }
  // redis-cli makes the first `masters` nodes the masters
  const ports = nodes.slice(0, masters).map(n => n.port)
  const dead = new Set<number>()
  const live = (): number => nodes.find(n => !dead.has(n.port))?.port as number
  const slotRanges = async (): Promise<Array<[number, number, ...Array<[string, number]>]>> =>
    await onNode(live(), async r => await r.call('CLUSTER', 'SLOTS')) as Array<[number, number, ...Array<[string, number]>]>
  if (replicas > 0) {
    // replicas attach and sync after `cluster create` returns: a failover test needs them in sync
    const masterPorts = new Set((await slotRanges()).map(range => (range[2] as [string, number])[1]))
    for (const port of masterPorts) {
      await waitFor(`${replicas} replica(s) of ${port} in sync`, async () =>
        (await onNode(port, async r => await r.info('replication'))).match(/^slave\d+:.*state=online/gm)?.length === replicas)
    }
    await waitFor('every slot range listing its replicas', async () => (await slotRanges()).every(range => range.length - 3 === replicas))
  }
  return {
    url: addresses.join(','),
    ports,
    keysPerNode: async () => await Promise.all(ports.map(async p => await onNode(p, async r => await r.dbsize()))),
    keySlot: async key => Number(await onNode(live(), async r => await r.call('CLUSTER', 'KEYSLOT', key))),
    nodesOfSlot: async slot => {
      // CLUSTER SLOTS: [start, end, [ip, port, id], replicas...]
      const range = (await slotRanges()).find(([start, end]) => slot >= start && slot <= end)
      if (range === undefined) throw new Error(`no node serves slot ${slot}`)
      const [, , master, ...others] = range
      return { master: master[1], replicas: others.map(o => o[1]) }
    },
    kill: async port => {
      dead.add(port)
      await nodes.find(n => n.port === port)?.stop()
    }
  }
}

/** Writes stay paused on the old master until the sentinels demote it (their INFO period is 10 s): it must not take writes again. */
const PAUSE_MS = 15_000

export interface RedisSentinelHandle {
  /** `REDIS_URL` for REDIS_MODE=sentinel: the sentinel's address. */
  url: string
  masterName: string
  /** The port the sentinel currently names as master. */
  masterPort: () => Promise<number>
  /**
   * A planned switchover: pauses writes on the master (`CLIENT PAUSE WRITE`; Sentinel's FAILOVER alone
   * does not, and a write the old master takes after the promotion is dropped when it resyncs), waits
   * until the replica has every write, `SENTINEL FAILOVER`, and waits until the sentinel names the
   * replica and the replica says it is master. Returns the new master's port.
   */
  failover: () => Promise<number>
}

export async function startRedisSentinel (t: Teardown, masterName = 'mymaster'): Promise<RedisSentinelHandle> {
  const dir = tempDir(t, 'sentinel')
  const spawned: Spawned[] = []
  t.teardown(async () => { await Promise.all(spawned.map(n => n.stop())) })
  const common = ['--bind', '127.0.0.1', '--appendonly', 'no', '--save', '']
  const masterPort = await freePort()
  spawned.push(await spawnRedis(['--port', String(masterPort), '--dir', dir, '--dbfilename', `m-${masterPort}.rdb`, ...common], masterPort))
  const replicaPort = await freePort()
  spawned.push(await spawnRedis(['--port', String(replicaPort), '--dir', dir, '--dbfilename', `r-${replicaPort}.rdb`, '--replicaof', '127.0.0.1', String(masterPort), ...common], replicaPort))
  await waitFor('the replica to sync', async () => infoField(await onNode(replicaPort, async r => await r.info('replication')), 'master_link_status') === 'up')

  // Started once the replica is attached, so the sentinel's first INFO of the master already lists it.
  const sentinelPort = await freePort()
  const conf = join(dir, 'sentinel.conf')
  writeFileSync(conf, [
    `port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
    `sentinel down-after-milliseconds ${masterName} 1000`,
    `sentinel failover-timeout ${masterName} 5000`,
    `sentinel parallel-syncs ${masterName} 1`, ''
  ].join('\n'))
  spawned.push(await spawnRedis([conf, '--sentinel'], sentinelPort))
  const sentinel = async <T>(fn: (r: Redis) => Promise<T>): Promise<T> => await onNode(sentinelPort, fn)
  await waitFor('the sentinel to know the replica', async () => {
    const replicas = await sentinel(async r => await r.call('SENTINEL', 'REPLICAS', masterName)) as string[][]
    return replicas.some(fields => { const flags = fields[fields.indexOf('flags') + 1] ?? ''; return flags === 'slave' })
  })

  const current = async (): Promise<number> => Number((await sentinel(async r => await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as string[])[1])
  return {
    url: `127.0.0.1:${sentinelPort}`,
    masterName,
    masterPort: current,
    failover: async () => {
      const from = await current()
      const to = from === masterPort ? replicaPort : masterPort
      await onNode(from, async r => await r.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'WRITE'))
      const masterOffset = Number(infoField(await onNode(from, async r => await r.info('replication')), 'master_repl_offset'))
      await waitFor('the replica to catch up', async () => Number(infoField(await onNode(to, async r => await r.info('replication')), 'slave_repl_offset')) >= masterOffset)
      await sentinel(async r => await r.call('SENTINEL', 'FAILOVER', masterName))
      await waitFor('the sentinel to name the new master', async () => await current() === to)
      await waitFor('the new master to take writes', async () => infoField(await onNode(to, async r => await r.info('replication')), 'role') === 'master')
      return to
    }
  }
}
