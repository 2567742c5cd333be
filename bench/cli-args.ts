/** `npm run bench -- [--quick] [name ...]`: which benchmarks to run and for how long. */

export const BENCH_NAMES = ['gate', 'signature', 'page', 'history', 'normalize'] as const
export type BenchName = typeof BENCH_NAMES[number]

export interface Durations {
  /** Seconds of load before measuring, per side. */
  warmupSeconds: number
  /** Seconds of measured load, per side. */
  measureSeconds: number
  /** Alternating measured rounds per comparison (each side keeps its best). */
  rounds: number
  /** Seconds each side of a CPU micro-benchmark loops per case and round. */
  loopSeconds: number
}

export interface BenchArgs {
  quick: boolean
  names: BenchName[]
  durations: Durations
}

export const FULL: Durations = { warmupSeconds: 3, measureSeconds: 5, rounds: 6, loopSeconds: 1 }
export const QUICK: Durations = { warmupSeconds: 1, measureSeconds: 2, rounds: 1, loopSeconds: 0.5 }

export class UsageError extends Error {}

export function parseBenchArgs (argv: string[]): BenchArgs {
  let quick = false
  const names: BenchName[] = []
  for (const arg of argv) {
    if (arg === '--quick') quick = true
    else if ((BENCH_NAMES as readonly string[]).includes(arg)) names.push(arg as BenchName)
    else throw new UsageError(`unknown argument "${arg}": usage: npm run bench -- [--quick] [${BENCH_NAMES.join('|')} ...]`)
  }
  return { quick, names: names.length > 0 ? names : [...BENCH_NAMES], durations: quick ? QUICK : FULL }
}
