/**
 * signature: the broker's request check (Python-canonical JSON + HMAC-SHA256, constant-time
 * compare) against Python 3 doing what Odoo does (`json.dumps(json.loads(b), sort_keys=True)` +
 * `hmac`) on the same bodies. Python runs as a child process that times its own loop, so
 * interpreter start-up is excluded; both sides must produce the same canonical text. The sides run
 * in alternating rounds and the ratio is taken on operations per CPU second of each process, which
 * other processes on a shared machine do not skew; wall-clock rates are printed too.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { Durations } from './cli-args.js'
import { canonicalizePythonJson } from '../src/protocol/canonical-json.js'
import { computeSignature, verifySignature } from '../src/protocol/signature.js'
import { largeOdooBody, smallOdooBody } from './bodies.js'
import { fmt1, fmtInt, verdictOf, type BenchResult } from './report.js'

interface Case { name: string, body: string, signature: string }
interface Rates { opsPerSecond: number, opsPerCpuSecond: number, canonicalSha256: string }
interface PythonAnswer { python: string, cases: Array<{ name: string, ops_per_second: number, ops_per_cpu_second: number, canonical_sha256: string }> }

const PREFIX = '1700000000|/proxy/v1/transactions|client-bench-0001|access-token-bench|{}|'
const PYTHON_TIMEOUT_MS = 120_000
const WARMUP_SECONDS = 0.2

function timeTypeScript (key: string, c: Case, loopSeconds: number): Rates {
  const verify = (): string => {
    const canonical = canonicalizePythonJson(c.body)
    if (!verifySignature(key, PREFIX + canonical, c.signature)) throw new Error(`typescript: signature mismatch on ${c.name}`)
    return canonical
  }
  const canonical = verify()
  // let V8 reach its optimised code first: a broker serves requests for days
  const warmUntil = process.hrtime.bigint() + BigInt(Math.round(WARMUP_SECONDS * 1e9))
  while (process.hrtime.bigint() < warmUntil) verify()
  let ops = 0
  const start = process.hrtime.bigint()
  const cpuStart = process.cpuUsage()
  let elapsed = 0
  while (elapsed < loopSeconds) {
    verify()
    ops++
    elapsed = Number(process.hrtime.bigint() - start) / 1e9
  }
  const cpu = process.cpuUsage(cpuStart)
  return { opsPerSecond: ops / elapsed, opsPerCpuSecond: ops / ((cpu.user + cpu.system) / 1e6), canonicalSha256: createHash('sha256').update(canonical).digest('hex') }
}

async function timePython (key: string, cases: Case[], loopSeconds: number): Promise<PythonAnswer> {
  const script = fileURLToPath(new URL('../../bench/signature.py', import.meta.url))
  const child = spawn('python3', [script], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (b: Buffer) => { out += b.toString() })
  child.stderr.on('data', (b: Buffer) => { err += b.toString() })
  const killer = setTimeout(() => child.kill('SIGKILL'), PYTHON_TIMEOUT_MS)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
    child.stdin.end(JSON.stringify({ refresh_token: key, prefix: PREFIX, loop_seconds: loopSeconds, cases }))
  })
  clearTimeout(killer)
  if (code !== 0) throw new Error(`python3 ${script} exited ${String(code)}: ${err.trim().slice(0, 500)}`)
  return JSON.parse(out) as PythonAnswer
}

const bestOf = (rounds: Rates[]): Rates => rounds.reduce((x, y) => y.opsPerCpuSecond > x.opsPerCpuSecond ? y : x)

export async function runSignatureBench (d: Durations): Promise<BenchResult> {
  const key = randomBytes(32).toString('base64')
  const cases: Case[] = [['small', smallOdooBody()], ['1 MB', largeOdooBody()]].map(([name, body]) => ({
    name: name as string,
    body: body as string,
    signature: computeSignature(key, PREFIX + canonicalizePythonJson(body as string))
  }))
  const ts: Rates[][] = cases.map(() => [])
  const py: Rates[][] = cases.map(() => [])
  let pythonVersion = ''
  for (let round = 0; round < d.rounds; round++) {
    const answer = await timePython(key, cases, d.loopSeconds)
    pythonVersion = answer.python
    cases.forEach((c, i) => {
      const p = answer.cases.find(x => x.name === c.name)
      if (p === undefined) throw new Error(`python gave no figure for ${c.name}`)
      py[i]!.push({ opsPerSecond: p.ops_per_second, opsPerCpuSecond: p.ops_per_cpu_second, canonicalSha256: p.canonical_sha256 })
      ts[i]!.push(timeTypeScript(key, c, d.loopSeconds))
    })
  }
  const rows = cases.map((c, i) => {
    const t = bestOf(ts[i]!)
    const p = bestOf(py[i]!)
    return { c, t, p, mb: Buffer.byteLength(c.body) / 1e6, ratio: t.opsPerCpuSecond / p.opsPerCpuSecond, same: t.canonicalSha256 === p.canonicalSha256 }
  })
  const side = (r: Rates, mb: number): string => `${fmtInt(r.opsPerCpuSecond)} ops/CPU-s (${fmt1(r.opsPerCpuSecond * mb)} MB/CPU-s; wall ${fmtInt(r.opsPerSecond)} ops/s, ${fmt1(r.opsPerSecond * mb)} MB/s)`
  const notes = rows.map(r => `${r.c.name} body ${fmtInt(Buffer.byteLength(r.c.body))} B: TypeScript ${side(r.t, r.mb)} | Python ${pythonVersion} ${side(r.p, r.mb)} | ratio ${r.ratio.toFixed(2)}${r.same ? '' : ' — FAIL: canonical texts differ'}`)
  notes.push(`${d.rounds} alternating round(s) of ${d.loopSeconds} s per side and body, best round kept; one process each (Python's start-up excluded), never concurrently`)
  const worst = rows.reduce((a, b) => a.ratio <= b.ratio ? a : b)
  return {
    name: 'signature',
    measured: rows.map(r => `${r.c.name} ${fmtInt(r.t.opsPerCpuSecond)} ops/CPU-s`).join(', '),
    baseline: `Python ${rows.map(r => `${r.c.name} ${fmtInt(r.p.opsPerCpuSecond)} ops/CPU-s`).join(', ')}`,
    ratio: worst.ratio,
    target: 'ratio > 1 on every body (lowest shown)',
    verdict: verdictOf(rows.every(r => r.ratio > 1 && r.same)),
    notes
  }
}
