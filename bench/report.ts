/** What every benchmark hands back, and how `npm run bench` prints it. */

export type Verdict = 'PASS' | 'FAIL' | 'INFO'

export interface BenchResult {
  name: string
  /** The measured figures, one short phrase (`4,210 req/s, p99 18 ms`). */
  measured: string
  /** The same-run baseline, one short phrase. */
  baseline: string
  /** measured / baseline on the figure the target is about; null when there is none. */
  ratio: number | null
  target: string
  verdict: Verdict
  /** Why a FAIL failed (or what the reader must know), printed under the row. */
  notes: string[]
}

export function verdictOf (ok: boolean): Verdict {
  return ok ? 'PASS' : 'FAIL'
}

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const one = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 })

export const fmtInt = (n: number): string => int.format(n)
export const fmt1 = (n: number): string => one.format(n)
export const fmtRatio = (r: number | null): string => r === null ? '-' : r.toFixed(2)

/** The line a CI smoke test looks for: `ratio <name> <ratio> target <target> <verdict>`. */
export function ratioLine (r: BenchResult): string {
  return `ratio ${r.name} ${fmtRatio(r.ratio)} target ${r.target} ${r.verdict}`
}

export function summaryTable (results: BenchResult[]): string {
  const header = ['benchmark', 'measured', 'baseline (same run)', 'ratio', 'target', 'result']
  const rows = results.map(r => [r.name, r.measured, r.baseline, fmtRatio(r.ratio), r.target, r.verdict])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(row => row[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(header), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
