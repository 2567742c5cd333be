/**
 * Decimal strings from Yodlee's JSON numbers (`3680.29`, `42.1`, `20000`) without float arithmetic:
 * the number's shortest round-trip text is re-written digit by digit.
 */

const PLAIN = /^(\d+)(?:\.(\d+))?$/
const EXPONENT = /^(\d+)(?:\.(\d+))?e([+-]?\d+)$/i

/** `1.5e-7` → `0.00000015`, `1e+21` → `1000000000000000000000` (text only). */
function expandExponent (text: string): string {
  const m = EXPONENT.exec(text)
  if (m === null) return text
  const digits = `${m[1]}${m[2] ?? ''}`
  const point = m[1].length + Number(m[3])
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${digits}${'0'.repeat(point - digits.length)}`
  return `${digits.slice(0, point)}.${digits.slice(point)}`
}

/**
 * Canonical decimal text of a JSON number or numeric string with at least `minScale` decimals
 * (`42.1` → `'42.10'`), or null when the value is not a finite decimal.
 */
export function toDecimalString (value: unknown, minScale = 2): string | null {
  let text: string
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null
    text = String(value)
  } else if (typeof value === 'string') {
    text = value.trim()
  } else {
    return null
  }
  let negative = false
  if (text.startsWith('-')) {
    negative = true
    text = text.slice(1)
  } else if (text.startsWith('+')) {
    text = text.slice(1)
  }
  text = expandExponent(text)
  const m = PLAIN.exec(text)
  if (m === null) return null
  const int = m[1].replace(/^0+(?=\d)/, '')
  let frac = (m[2] ?? '').replace(/0+$/, '')
  while (frac.length < minScale) frac += '0'
  const body = frac.length > 0 ? `${int}.${frac}` : int
  const zero = /^[0.]*$/.test(body)
  return negative && !zero ? `-${body}` : body
}

/** Applies a direction to an unsigned decimal string (`'12.30'`, debit → `'-12.30'`). */
export function withSign (magnitude: string, negative: boolean): string {
  const abs = magnitude.startsWith('-') ? magnitude.slice(1) : magnitude
  if (!negative || /^[0.]*$/.test(abs)) return abs
  return `-${abs}`
}
