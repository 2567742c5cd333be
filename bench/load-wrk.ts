/**
 * The load generator: wrk (C, Debian's package `wrk`), driven by a generated Lua script that sends
 * the plan's prebuilt requests in turn and checks every answer. It costs about a quarter of the CPU
 * per request that autocannon (JavaScript) does, and it shares its core with Redis: the load
 * generator must not be what limits the server under test.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LoadPlan, RawRun } from './load.js'

export const wrkInstalled = (): boolean => spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined

/** A Lua string literal of any bytes (three-digit decimal escapes, so a following digit cannot join one). */
export function luaString (text: string): string {
  let out = '"'
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += '\\' + String.fromCharCode(byte)
    else if (byte < 0x20 || byte >= 0x7f) out += '\\' + String(byte).padStart(3, '0')
    else out += String.fromCharCode(byte)
  }
  return out + '"'
}

function expectation (plan: LoadPlan): string {
  return 'body' in plan.expect
    ? `local expected = ${luaString(plan.expect.body)}\nlocal function unexpected (b) return b ~= expected end`
    : `local banned = ${luaString(plan.expect.notContaining)}\nlocal function unexpected (b) return string.find(b, banned, 1, true) ~= nil end`
}

/** The script: requests built once per thread, answers checked, figures printed as one JSON line. */
export function wrkScript (plan: LoadPlan): string {
  const build = plan.requests.map(r => {
    const headers = Object.entries(r.headers).map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`).join(', ')
    return `  requests[#requests + 1] = wrk.format(${luaString(r.method)}, ${luaString(r.path)}, { ${headers} }, ${r.body === undefined ? 'nil' : luaString(r.body)})`
  })
  return `${expectation(plan)}
local threads = {}
function setup (thread) threads[#threads + 1] = thread end

requests = {}
non2xx = 0
mismatches = 0
local next_request = 0
function init ()
${build.join('\n')}
end
function request ()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
function response (status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1
  elseif unexpected(body) then mismatches = mismatches + 1 end
end
function done (summary, latency)
  local n, m = 0, 0
  for _, t in ipairs(threads) do n = n + t:get('non2xx'); m = m + t:get('mismatches') end
  local e = summary.errors
  io.write(string.format('{"requests":%d,"us":%d,"bytes":%d,"p50":%d,"p99":%d,"non2xx":%d,"mismatches":%d,"errors":%d,"timeouts":%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99), n, m, e.connect + e.read + e.write, e.timeout))
end
`
}

interface WrkDone { requests: number, us: number, bytes: number, p50: number, p99: number, non2xx: number, mismatches: number, errors: number, timeouts: number }

export async function runWrk (plan: LoadPlan, seconds: number): Promise<RawRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'))
  try {
    const script = join(dir, 'load.lua')
    writeFileSync(script, wrkScript(plan))
    // one thread: it keeps up with any server this machine runs, and stays on the load generator's core
    const child = spawn('wrk', ['-t1', `-c${plan.connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, plan.url + (plan.requests[0]?.path ?? '/')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (b: Buffer) => { out += b.toString() })
    child.stderr.on('data', (b: Buffer) => { err += b.toString() })
    const code = await new Promise<number | null>((resolve, reject) => { child.once('error', reject); child.once('close', resolve) })
    const line = out.split('\n').find(l => l.startsWith('{"requests"'))
    if (code !== 0 || line === undefined) throw new Error(`wrk failed (exit ${String(code)}): ${(err + out).trim().slice(0, 2_000)}`)
    const d = JSON.parse(line) as WrkDone
    const s = d.us / 1e6
    return { total: d.requests, seconds: s, p50Ms: d.p50 / 1000, p99Ms: d.p99 / 1000, non2xx: d.non2xx, mismatches: d.mismatches, errors: d.errors, timeouts: d.timeouts, bytesPerSecond: d.bytes / s }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
