/** Text normalisation shared by the institution search and the de-duplication of banks across providers. */

/** Words that say nothing about which bank it is (legal forms, articles). */
const NOISE = new Set(['sa', 'nv', 'ag', 'plc', 'ltd', 'limited', 'inc', 'llc', 'bv', 'gmbh', 'spa', 'ab', 'asa', 'oy', 'oyj', 'the', 'se', 'eg', 'scrl', 'sca', 'cvba', 'co'])
const BIC = /^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/

/** Lower case, accents removed, anything but letters and digits turned into single spaces. */
export function normalizeText (text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
}

/** Tokens, with runs of single letters joined: "K.B.C." and "KBC" are the same word. */
export function tokensOf (text: string): string[] {
  const n = normalizeText(text)
  if (n === '') return []
  const out: string[] = []
  let initials = false
  for (const token of n.split(' ')) {
    if (token.length === 1 && initials) out[out.length - 1] += token
    else out.push(token)
    initials = token.length === 1 && (initials || out[out.length - 1]?.length === 1)
  }
  return out
}

/** The name two providers' listings must share to be the same bank: tokens without legal forms. */
export function dedupName (name: string): string {
  const tokens = tokensOf(name)
  const kept = tokens.filter(t => !NOISE.has(t))
  return (kept.length > 0 ? kept : tokens).join(' ')
}

/** BIC8 (institution + country + location) or null: branch codes differ between listings of one bank. */
export function bic8 (bic: string | null | undefined): string | null {
  if (typeof bic !== 'string') return null
  const b = bic.replace(/\s+/g, '').toUpperCase()
  return BIC.test(b) ? b.slice(0, 8) : null
}

export function looksLikeBic (text: string): boolean {
  return BIC.test(text.replace(/\s+/g, '').toUpperCase())
}
