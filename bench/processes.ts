/** Servers under test run as child processes: started, awaited until they answer, stopped. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { serverCommand } from './machine.js'

export interface ServerProcess {
  url: string
  pid: number
  stop: () => Promise<void>
}

const READY_TIMEOUT_MS = 30_000

async function answers (url: string): Promise<boolean> {
  try {
    const res = await request(url, { headersTimeout: 1_000, bodyTimeout: 1_000 })
    await res.body.dump()
    return res.statusCode < 500
  } catch {
    return false
  }
}

function exited (child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
}

/**
 * Starts `node <script>` (a path relative to this compiled file's folder) with `env` and waits
 * until GET `probePath` answers below 500. Its output goes to /dev/null except stderr, kept for errors.
 */
export async function startServer (script: string, env: Record<string, string>, port: number, probePath: string): Promise<ServerProcess> {
  const file = fileURLToPath(new URL(script, import.meta.url))
  const { command, args } = serverCommand(file)
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { if (stderr.length < 4_000) stderr += chunk.toString() })
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited(child)
    clearTimeout(force)
  }
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (!(await answers(url + probePath))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`${script} did not start: ${stderr.trim() || 'no answer on ' + url}`)
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return { url, pid: child.pid as number, stop }
}

/** Resident set size and its high-water mark (VmHWM) of a process, in bytes, from /proc (Linux). */
export function memoryOf (pid: number): { rss: number, peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}
