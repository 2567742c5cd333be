/**
 * How a benchmark run lays its processes on the machine. Every server under test (the broker, or its
 * baseline) runs alone on core 0; this process (the CPU loops, and the load generator: wrk, a child
 * that inherits this process's cores, or autocannon in it) and Redis share the other cores. Each side of a comparison then gets one core of its own, as a broker has in production,
 * where Redis runs on another host, and the scheduler no longer moves the three processes between
 * cores from one round to the next. Redis is a private `redis-server` without persistence, started
 * for the run (so that it can be pinned without touching the machine's own). Without taskset, with
 * one core or without redis-server, nothing is pinned and REDIS_URL is used; the output says so.
 */
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { redisServerInstalled, startPrivateRedis } from '../src/dev/local-redis.js'

const SERVER_CORE = '0'
/** Read before anything is pinned: availableParallelism() counts only the cores this process may use. */
const CORES = availableParallelism()
const otherCores = (): string => CORES === 2 ? '1' : `1-${CORES - 1}`

let pinning = false
let layout = 'processes not pinned'

/** The run's layout, for a benchmark's notes. */
export const layoutNote = (): string => layout

/** The machine's cores, whatever this process is pinned to. */
export const machineCores = (): number => CORES

const tasksetWorks = (): boolean => process.platform === 'linux' && spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0

/** Moves every thread of `pid` to `cores` (a taskset list). */
function pin (pid: number, cores: string): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' })
  if (r.status !== 0) throw new Error(`taskset could not pin process ${pid} to cores ${cores}`)
}

/** The command that starts a server under test (`node <file>`), on its core when pinning. */
export function serverCommand (file: string): { command: string, args: string[] } {
  const node = [process.execPath, ...profilingFlags(), file]
  return pinning ? { command: 'taskset', args: ['-c', SERVER_CORE, ...node] } : { command: node[0] as string, args: node.slice(1) }
}

/** BENCH_CPU_PROF=<dir>: every server under test writes a V8 CPU profile there when it stops (NODE_OPTIONS refuses --cpu-prof). */
function profilingFlags (): string[] {
  const dir = process.env.BENCH_CPU_PROF
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`]
}

export interface BenchMachine {
  /** One line for the output: how the processes were laid out. */
  layout: string
  stop: () => Promise<void>
}

/** Lays out the run (see above); sets REDIS_URL for the brokers it starts. */
export async function prepareMachine (): Promise<BenchMachine> {
  if (CORES < 2 || !tasksetWorks() || !redisServerInstalled()) {
    layout = `processes not pinned (needs Linux, taskset, redis-server and 2 cores): the server under test, the load generator and Redis at ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'} share ${CORES} core(s)`
    return { layout, stop: async () => {} }
  }
  const redis = await startPrivateRedis(null)
  pin(redis.child.pid as number, otherCores())
  pin(process.pid, otherCores())
  process.env.REDIS_URL = redis.url
  pinning = true
  layout = `server under test pinned to core ${SERVER_CORE}; the load generator (this process and its children) and a private Redis (no persistence) on core${otherCores().length > 1 ? 's' : ''} ${otherCores()}`
  return {
    layout,
    stop: async () => {
      pinning = false
      redis.child.kill('SIGTERM')
      await new Promise(resolve => redis.child.once('exit', resolve))
    }
  }
}
