/**
 * Normalisation throughput per provider (transactions per CPU second) on pages built from the real
 * sample payloads, against a baseline measured in the same run: a plain JSON.parse of the same page.
 * Ratio = normalise-throughput / parse-throughput (parse + normalise vs parse alone).
 */
import { readFileSync } from 'node:fs'
import { fmtInt, type BenchResult } from './report.js'
import { normalizeTransaction as plaid } from '../providers/plaid/normalize.js'
import { normalizeYodleeTransaction as yodlee } from '../providers/yodlee/normalize.js'
import { normalizeTransaction as saltedge } from '../providers/saltedge/normalize.js'
import { normalizeTransaction as ponto } from '../providers/ponto/normalize.js'
import { normalizeTransaction as enablebanking, createOccurrenceCounter } from '../providers/enablebanking/normalize.js'

const PAGE = 500
const fixture = (provider: string, file: string): any => JSON.parse(readFileSync(`test/providers/${provider}/fixtures/${file}`, 'utf8'))

/** A page of PAGE transactions cloned from the samples, each with a unique id. */
function page<T> (samples: T[], setId: (t: any, i: number) => void): string {
  const out = []
  for (let i = 0; i < PAGE; i++) {
    const t = structuredClone(samples[i % samples.length]) as any
    setId(t, i)
    out.push(t)
  }
  return JSON.stringify(out)
}

interface Case { name: string, text: string, run: (parsed: any[]) => void }

const cases: Case[] = [
  { name: 'plaid', text: page(fixture('plaid', 'transactions-sync.response.json').added, (t, i) => { t.transaction_id = `tx${i}` }), run: txs => { for (const t of txs) plaid(t, { accountId: 'a', accountCurrency: 'USD' }) } },
  { name: 'yodlee', text: page(fixture('yodlee', 'transactions.response.json').transaction, (t, i) => { t.id = 1000 + i }), run: txs => { for (const t of txs) yodlee(t, 'a') } },
  { name: 'saltedge', text: page(fixture('saltedge', 'transactions-posted-and-pending.constructed.json').data.filter((t: any) => t.status === 'posted'), (t, i) => { t.id = String(5000 + i) }), run: txs => { for (const t of txs) saltedge(t, 'a') } },
  { name: 'ponto', text: page(fixture('ponto', 'transactions.response.json').data, (t, i) => { t.id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }), run: txs => { for (const t of txs) ponto(t, 'a', 'EUR') } },
  { name: 'enablebanking', text: page(fixture('enablebanking', 'transactions-page1.response.json').transactions, (t, i) => { t.entry_reference = `ref${i}` }), run: txs => { const c = createOccurrenceCounter(); for (const t of txs) enablebanking(t, 'a', c) } }
]

/** CPU seconds of this process per transaction (CPU, not wall time: other processes do not skew it). */
function timePerTx (fn: () => void, minMs = 400): number {
  for (let i = 0; i < 20; i++) fn()
  let n = 0
  const start = process.hrtime.bigint()
  const cpuStart = process.cpuUsage()
  while (Number(process.hrtime.bigint() - start) / 1e6 < minMs) { fn(); n++ }
  const cpu = process.cpuUsage(cpuStart)
  return ((cpu.user + cpu.system) / 1e6) / (n * PAGE)
}

export function runNormalizeBench (): Array<{ provider: string, parsePerSec: number, normalizePerSec: number, ratio: number }> {
  const rows = []
  for (const c of cases) {
    const parse = timePerTx(() => { JSON.parse(c.text) })
    const full = timePerTx(() => { c.run(JSON.parse(c.text)) })
    rows.push({ provider: c.name, parsePerSec: Math.round(1 / parse), normalizePerSec: Math.round(1 / full), ratio: parse / full })
  }
  return rows
}

/** The normalisation rows as one benchmark result (no target: informational). */
export function runNormalizeResult (): BenchResult {
  const rows = runNormalizeBench()
  const worst = rows.reduce((a, b) => a.ratio <= b.ratio ? a : b)
  return {
    name: 'normalize',
    measured: `parse+normalise ${rows.map(r => `${r.provider} ${fmtInt(r.normalizePerSec)}`).join(', ')} tx/CPU-s`,
    baseline: `JSON.parse alone ${rows.map(r => `${r.provider} ${fmtInt(r.parsePerSec)}`).join(', ')} tx/CPU-s`,
    ratio: worst.ratio,
    target: 'none (informational; lowest ratio shown)',
    verdict: 'INFO',
    notes: ['500-transaction pages built from the real sample payloads; ratio = parse-throughput share kept after normalising']
  }
}
