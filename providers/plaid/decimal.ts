/**
 * Decimal strings without float arithmetic. Plaid sends amounts as JSON numbers; `String(n)` gives
 * the shortest text that parses back to the same double, i.e. the digits Plaid wrote, and from
 * there everything is string work.
 */

/** A JSON number as a plain decimal string with at least two decimals ("72.1" -> "72.10"), or null. */
export function decimalFromNumber (value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  let text = String(value)
  if (/e/i.test(text)) text = expandExponent(text)
  return normalizeDecimal(text)
}

function expandExponent (text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(text)
  if (m === null) throw new Error(`unexpected number text ${text}`)
  const [, sign, int, frac = '', expText] = m as unknown as [string, string, string, string | undefined, string]
  const digits = int + frac
  const point = int.length + Number(expText)
  let plain: string
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length)
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`
  return sign + plain
}

/** "-007.5" -> "-7.50"; "0.000" -> "0.000"; "-0" -> "0.00". */
export function normalizeDecimal (text: string): string {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text.trim())
  if (m === null) throw new Error(`not a decimal: ${text}`)
  const [, sign, rawInt, rawFrac = ''] = m as unknown as [string, string, string, string | undefined]
  const int = rawInt.replace(/^0+(?=\d)/, '')
  const frac = rawFrac.length >= 2 ? rawFrac : rawFrac.padEnd(2, '0')
  const body = `${int}.${frac}`
  return sign === '-' && !isZeroDecimal(body) ? `-${body}` : body
}

export function isZeroDecimal (text: string): boolean {
  return /^[+-]?0*(\.0*)?$/.test(text) && /\d/.test(text)
}

/** Flips the sign of a normalised decimal string; zero stays unsigned. */
export function negateDecimal (text: string): string {
  if (isZeroDecimal(text)) return text.replace(/^[+-]/, '')
  return text.startsWith('-') ? text.slice(1) : `-${text.replace(/^\+/, '')}`
}

/** "-12.30" -> -1230 (minor units); null when not a decimal with at most two decimals. */
export function decimalToMinor (text: string): number | null {
  const m = /^([+-]?)(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim())
  if (m === null) return null
  const [, sign, int, frac = ''] = m as unknown as [string, string, string, string | undefined]
  const minor = Number(int) * 100 + Number(frac.padEnd(2, '0'))
  return sign === '-' ? -minor : minor
}

/** Minor units to the JSON number Plaid would send, with Plaid's sign (positive = money out). */
export function minorToPlaidAmount (signedMinorMoneyIn: number): number {
  return Number(minorToText(-signedMinorMoneyIn))
}

export function minorToText (minor: number): string {
  const abs = Math.abs(minor)
  return `${minor < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}
