/** Generated catalogues and queries for the search benchmark. */
import { createRandom as createPrng } from '../../providers/sandbox-kit/prng.js'
import type { Institution, ProviderId } from '../../providers/types.js'

const WORDS = ['bank', 'banque', 'credit', 'savings', 'union', 'first', 'national', 'trust', 'capital', 'cooperative', 'mutual', 'federal', 'city', 'state', 'royal', 'united', 'commerce', 'investment', 'finance', 'holding', 'north', 'south', 'east', 'west', 'central', 'private', 'popular', 'agricole', 'sparkasse', 'volksbank', 'raiffeisen', 'nordic', 'atlantic', 'pacific', 'alpine', 'heritage', 'pioneer', 'liberty', 'summit', 'harbor']
const COUNTRIES = ['BE', 'NL', 'FR', 'DE', 'LU', 'FI', 'SE', 'NO', 'DK', 'US', 'CA', 'GB', 'ES', 'IT', 'PT', 'AT', 'PL', 'IE', 'CZ', 'GR']
const PROVIDERS: ProviderId[] = ['plaid', 'yodlee', 'saltedge', 'ponto', 'enablebanking']
const SYLLABLES = ['ka', 'lo', 'mer', 'vin', 'ta', 'bor', 'sel', 'dra', 'nu', 'fi', 'gar', 'hel', 'ost', 'rin', 've', 'zan']

export function generate (n: number, seed: string): Institution[] {
  const rnd = createPrng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T
  const out: Institution[] = []
  for (let i = 0; i < n; i++) {
    const proper = pick(SYLLABLES) + pick(SYLLABLES) + pick(SYLLABLES)
    const name = `${proper.charAt(0).toUpperCase()}${proper.slice(1)} ${pick(WORDS)} ${pick(WORDS)}${rnd() < 0.3 ? ` ${pick(WORDS)}` : ''}`
    const country = pick(COUNTRIES)
    const bic = rnd() < 0.7 ? `${proper.slice(0, 4).toUpperCase().padEnd(4, 'X')}${country}${String(i % 100).padStart(2, '0')}` : null
    out.push({ id: `i${i}`, provider: pick(PROVIDERS), name, country, bic, logoUrl: null, beta: rnd() < 0.05, historyDays: 365, refreshPolicy: 'automatic', mfa: false, consentDays: 90 })
  }
  return out
}

export function typo (word: string, rnd: () => number): string {
  if (word.length < 4) return word
  const i = 1 + Math.floor(rnd() * (word.length - 2))
  return rnd() < 0.5 ? word.slice(0, i) + word.slice(i + 1) : word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2)
}
