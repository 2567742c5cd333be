/**
 * The in-process search index over the de-duplicated catalogue: token postings, a sorted
 * vocabulary for prefixes, and a trigram index over the vocabulary that finds tokens within
 * edit distance 1 (4–7 letters) or 2 (8+ letters) of a typed token. Every query token must match
 * (exactly, as a prefix, or with a typo); a BIC matches its bank directly.
 */
import type { CatalogueEntry } from './dedup.js'
import { refOf } from './dedup.js'
import { bic8, looksLikeBic, normalizeText, tokensOf } from './normalize.js'

export interface SearchOptions {
  country?: string | null
  limit?: number
}

export interface CatalogueIndex {
  size: number
  search: (query: string, opts?: SearchOptions) => CatalogueEntry[]
  /** The entry of a listing ref (preferred or alternative provider), e.g. a dashboard `id`. */
  byRef: (ref: string) => CatalogueEntry | undefined
  /** A country's banks with no query: established ones first, then by name. */
  top: (country: string, limit: number) => CatalogueEntry[]
  countries: () => string[]
}

const MAX_PREFIX_TOKENS = 400
/** Typo candidates checked per query word, those sharing the most trigrams first. */
const MAX_FUZZY_CANDIDATES = 200
const MAX_QUERY_TOKENS = 8
const EXACT = 1
const PREFIX = 0.75
const FUZZY = [1, 0.6, 0.45]

const gramsOf = (token: string): string[] => {
  const padded = `$${token}$`
  const out: string[] = []
  for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3))
  return out
}

export const maxTypos = (token: string): number => token.length >= 8 ? 2 : token.length >= 4 ? 1 : 0

let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)]

/** Optimal-string-alignment distance (a swap of two letters is one typo), or k+1 once it exceeds k. */
export function boundedDistance (a: string, b: string, k: number): number {
  if (Math.abs(a.length - b.length) > k) return k + 1
  if ((rows[0] as Int32Array).length <= b.length) rows = [0, 1, 2].map(() => new Int32Array(b.length * 2 + 1))
  let [prev2, prev, cur] = rows as [Int32Array, Int32Array, Int32Array]
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] as number) + 1)
      cur[j] = v
      if (v < rowMin) rowMin = v
    }
    if (rowMin > k) return k + 1
    const t = prev2; prev2 = prev; prev = cur; cur = t
  }
  return Math.min(prev[b.length] as number, k + 1)
}

/** The `limit` best of many scored hits, without sorting them all. */
function topK<T> (items: Iterable<T>, limit: number, better: (a: T, b: T) => number): T[] {
  const best: T[] = []
  for (const item of items) {
    if (best.length === limit && better(item, best[limit - 1] as T) >= 0) continue
    let lo = 0
    let hi = best.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (better(item, best[mid] as T) < 0) hi = mid
      else lo = mid + 1
    }
    best.splice(lo, 0, item)
    if (best.length > limit) best.pop()
  }
  return best
}

export function buildIndex (input: readonly CatalogueEntry[]): CatalogueIndex {
  const entries = input.slice().sort((a, b) => a.name.localeCompare(b.name, 'en') || a.ref.localeCompare(b.ref))
  const vocab = new Map<string, number>()
  const tokens: string[] = []
  const postings: number[][] = []
  const refs = new Map<string, CatalogueEntry>()
  const bics = new Map<string, number[]>()
  const normNames = entries.map(e => normalizeText(e.name))

  const tidOf = (token: string): number => {
    let tid = vocab.get(token)
    if (tid === undefined) { tid = tokens.length; vocab.set(token, tid); tokens.push(token); postings.push([]) }
    return tid
  }
  entries.forEach((e, ei) => {
    const own = new Set(tokensOf(e.name))
    const b = bic8(e.bic)
    if (b !== null) {
      own.add(b.toLowerCase())
      const list = bics.get(b) ?? []
      list.push(ei)
      bics.set(b, list)
    }
    for (const token of own) (postings[tidOf(token)] as number[]).push(ei)
    refs.set(e.ref, e)
    for (const alt of e.alternatives) if (!refs.has(refOf(alt))) refs.set(refOf(alt), e)
  })
  const sortedTids = tokens.map((_, i) => i).sort((a, b) => (tokens[a] as string) < (tokens[b] as string) ? -1 : 1)
  const grams = new Map<string, number[]>()
  tokens.forEach((token, tid) => {
    if (token.length < 3) return
    for (const g of new Set(gramsOf(token))) {
      const list = grams.get(g)
      if (list === undefined) grams.set(g, [tid])
      else list.push(tid)
    }
  })
  const counts = new Int32Array(tokens.length)
  const byCountry = new Map<string, CatalogueEntry[]>()

  function prefixTids (prefix: string, out: Map<number, number>): void {
    let lo = 0
    let hi = sortedTids.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((tokens[sortedTids[mid] as number] as string) < prefix) lo = mid + 1
      else hi = mid
    }
    for (let i = lo, n = 0; i < sortedTids.length && n < MAX_PREFIX_TOKENS; i++, n++) {
      const tid = sortedTids[i] as number
      if (!(tokens[tid] as string).startsWith(prefix)) break
      if (!out.has(tid)) out.set(tid, PREFIX)
    }
  }

  function fuzzyTids (token: string, out: Map<number, number>): void {
    const k = maxTypos(token)
    // A word that exists as typed is not a typo.
    if (k === 0 || vocab.has(token)) return
    const qGrams = [...new Set(gramsOf(token))]
    // A typo changes at most 3 trigrams, a swap of two letters 4.
    const need = Math.max(1, qGrams.length - 4 * k)
    const touched: number[] = []
    for (const g of qGrams) {
      for (const tid of grams.get(g) ?? []) {
        if (counts[tid] === 0) touched.push(tid)
        counts[tid] = (counts[tid] as number) + 1
      }
    }
    let candidates = touched.filter(tid => (counts[tid] as number) >= need && Math.abs((tokens[tid] as string).length - token.length) <= k)
    if (candidates.length > MAX_FUZZY_CANDIDATES) candidates = candidates.sort((a, b) => (counts[b] as number) - (counts[a] as number)).slice(0, MAX_FUZZY_CANDIDATES)
    for (const tid of touched) counts[tid] = 0
    for (const tid of candidates) {
      if (out.has(tid)) continue
      const d = boundedDistance(token, tokens[tid] as string, k)
      if (d <= k) out.set(tid, FUZZY[d] as number)
    }
  }

  function matchesOf (token: string, country: string | null): Map<number, number> {
    const tids = new Map<number, number>()
    const exact = vocab.get(token)
    if (exact !== undefined) tids.set(exact, EXACT)
    prefixTids(token, tids)
    fuzzyTids(token, tids)
    const byEntry = new Map<number, number>()
    for (const [tid, quality] of tids) {
      for (const ei of postings[tid] as number[]) {
        if (country !== null && (entries[ei] as CatalogueEntry).country !== country) continue
        const had = byEntry.get(ei)
        if (had === undefined || had < quality) byEntry.set(ei, quality)
      }
    }
    return byEntry
  }

  function top (country: string, limit: number): CatalogueEntry[] {
    let list = byCountry.get(country)
    if (list === undefined) {
      list = entries.filter(e => e.country === country).sort((a, b) => Number(a.beta) - Number(b.beta))
      byCountry.set(country, list)
    }
    return list.slice(0, limit)
  }

  function search (query: string, opts: SearchOptions = {}): CatalogueEntry[] {
    const country = opts.country ?? null
    const limit = opts.limit ?? 20
    const q = tokensOf(query).slice(0, MAX_QUERY_TOKENS)
    if (q.length === 0) return country === null ? entries.slice(0, limit) : top(country, limit)
    if (q.length === 1 && looksLikeBic(query)) {
      const hits = (bics.get(bic8(query) as string) ?? []).map(ei => entries[ei] as CatalogueEntry).filter(e => country === null || e.country === country)
      if (hits.length > 0) return hits.slice(0, limit)
    }
    const maps = q.map(token => matchesOf(token, country)).sort((a, b) => a.size - b.size)
    const smallest = maps[0] as Map<number, number>
    const whole = q.join(' ')
    const scored: Array<{ ei: number, score: number }> = []
    for (const [ei, first] of smallest) {
      let score = first
      let all = true
      for (let m = 1; m < maps.length; m++) {
        const v = (maps[m] as Map<number, number>).get(ei)
        if (v === undefined) { all = false; break }
        score += v
      }
      if (!all) continue
      if ((normNames[ei] as string).startsWith(whole)) score += 0.5
      scored.push({ ei, score })
    }
    const better = (a: { ei: number, score: number }, b: { ei: number, score: number }): number =>
      b.score - a.score || (normNames[a.ei] as string).length - (normNames[b.ei] as string).length || a.ei - b.ei
    return topK(scored, limit, better).map(s => entries[s.ei] as CatalogueEntry)
  }

  return {
    size: entries.length,
    search,
    byRef: (ref) => refs.get(ref),
    top,
    countries: () => [...new Set(entries.map(e => e.country))].sort()
  }
}
