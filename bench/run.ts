/**
 * `npm run bench [-- --quick] [gate|signature|page|history|normalize ...]`: every benchmark (or the
 * named ones), each against a baseline measured in the same run, then a summary table. Exits 1 when
 * a target is missed or a benchmark fails to run, 2 on a usage error.
 */
import { loadavg } from 'node:os'
import { parseBenchArgs, UsageError, type BenchArgs, type BenchName, type Durations } from './cli-args.js'
import { ratioLine, summaryTable, type BenchResult } from './report.js'
import { runGateBench } from './gate.js'
import { runSignatureBench } from './signature.js'
import { runPageBench } from './page.js'
import { runHistoryBench } from './history.js'
import { runNormalizeResult } from './normalize.js'
import { machineCores, prepareMachine } from './machine.js'

const BENCHES: Record<BenchName, (d: Durations) => Promise<BenchResult>> = {
  gate: runGateBench,
  signature: runSignatureBench,
  page: runPageBench,
  history: runHistoryBench,
  normalize: async () => runNormalizeResult()
}

const print = (text: string): void => { process.stdout.write(text + '\n') }

async function runOne (name: BenchName, args: BenchArgs): Promise<BenchResult> {
  print(`\n== ${name} ==`)
  const started = Date.now()
  const loadBefore = loadavg()[0] as number
  let result: BenchResult
  try {
    result = await BENCHES[name](args.durations)
  } catch (err) {
    result = { name, measured: '-', baseline: '-', ratio: null, target: '-', verdict: 'FAIL', notes: [`did not run: ${(err as Error).stack ?? String(err)}`] }
  }
  // other processes on the machine skew every figure: say how busy it was
  result.notes.push(`machine load average (1 min) ${loadBefore.toFixed(1)} before, ${(loadavg()[0] as number).toFixed(1)} after, on ${machineCores()} cores`)
  print(`measured: ${result.measured}`)
  print(`baseline: ${result.baseline}`)
  for (const note of result.notes) print(`  - ${note}`)
  print(ratioLine(result))
  print(`(${((Date.now() - started) / 1000).toFixed(1)} s)`)
  return result
}

async function main (): Promise<number> {
  let args: BenchArgs
  try {
    args = parseBenchArgs(process.argv.slice(2))
  } catch (err) {
    if (err instanceof UsageError) { process.stderr.write(err.message + '\n'); return 2 }
    throw err
  }
  print(`banksync-broker benchmarks (${args.quick ? 'quick' : 'full'}: ${args.durations.warmupSeconds} s warm-up + ${args.durations.measureSeconds} s measured per HTTP side) on ${machineCores()} cores, Node ${process.version}`)
  const machine = await prepareMachine()
  print(machine.layout)
  const results: BenchResult[] = []
  try {
    for (const name of args.names) results.push(await runOne(name, args))
  } finally {
    await machine.stop()
  }
  print('\n' + summaryTable(results))
  const failed = results.filter(r => r.verdict === 'FAIL').map(r => r.name)
  print(failed.length === 0 ? '\nall targets met' : `\ntargets missed: ${failed.join(', ')}`)
  return failed.length === 0 ? 0 : 1
}

main().then(code => { process.exitCode = code }, err => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
