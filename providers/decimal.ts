/**
 * Money as decimal strings, never floats (providers.md §7.4 rule 4). Providers send amounts as
 * JSON numbers (Plaid, Yodlee, Salt Edge, Ponto) or decimal strings (Enable Banking). For a JSON
 * number, `String(n)` is the shortest text that reads back as the same double, i.e. the digits the
 * provider wrote; from there everything is text: the exponent is expanded by moving the point,
 * and the result has at least two decimals (`72.1` → `'72.10'`, `-0` → `'0.00'`).
 */

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/
const EXPONENT = /^([+-]?)(\d+)(?:\.(\d*))?e([+-]?\d+)$/i

function expandExponent (text: string): string {
  const m = EXPONENT.exec(text)
  if (m === null) return text
  const [, sign = '', int = '', frac = '', exp = '0'] = m
  const digits = int + frac
  const point = int.length + Number(exp)
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length)
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

interface Parts { negative: boolean, integer: string, fraction: string }

function parts (text: string, exponent = false): Parts | null {
  const m = DECIMAL.exec(exponent ? expandExponent(text.trim()) : text.trim())
  if (m === null) return null
  return {
    negative: m[1] === '-',
    integer: (m[2] as string).replace(/^0+(?=\d)/, ''),
    fraction: (m[3] ?? '').replace(/0+$/, '').padEnd(2, '0')
  }
}

function render (p: Parts, negative: boolean): string {
  const body = `${p.integer}.${p.fraction}`
  const zero = /^0+$/.test(p.integer) && /^0+$/.test(p.fraction)
  return negative && !zero ? `-${body}` : body
}

/** A JSON number, or a plain decimal string (no exponent), as a canonical signed decimal string, or null. */
export function decimalFromJson (value: unknown): string | null {
  if (typeof value === 'number' && !Number.isFinite(value)) return null
  if (typeof value !== 'number' && typeof value !== 'string') return null
  const p = parts(String(value), typeof value === 'number')
  return p === null ? null : render(p, p.negative)
}

/** The value without its sign (`'-12.3'` → `'12.30'`), or null. */
export function absoluteDecimal (value: unknown): string | null {
  const d = decimalFromJson(value)
  return d === null ? null : d.replace(/^-/, '')
}

/** Applies a direction to a magnitude (`'12.30'`, out → `'-12.30'`); zero stays unsigned. */
export function withSign (magnitude: string, negative: boolean): string {
  const p = parts(magnitude)
  if (p === null) throw new Error(`not a decimal: ${magnitude}`)
  return render(p, negative)
}

/** Flips the sign of a decimal string; zero stays unsigned. */
export function negateDecimal (text: string): string {
  const p = parts(text)
  if (p === null) throw new Error(`not a decimal: ${text}`)
  return render(p, !p.negative)
}

/** `'-12.30'` → `-1230` (minor units of a two-decimal currency); null when not such a decimal. */
export function decimalToMinor (text: string): number | null {
  const m = /^([+-]?)(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.trim())
  if (m === null) return null
  const minor = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'))
  return m[1] === '-' ? -minor : minor
}

/** Minor units → the JSON number a provider would send (`-1230` → `-12.3`). */
export function minorToNumber (minor: number): number {
  const abs = Math.abs(minor)
  return Number(`${minor < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`)
}

/** Like `decimalFromJson` but only for JSON numbers (providers whose schema says number). */
export function decimalFromNumber (value: unknown): string | null {
  return typeof value === 'number' ? decimalFromJson(value) : null
}
