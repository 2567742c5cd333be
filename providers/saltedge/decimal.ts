/**
 * JSON numbers → decimal strings without float arithmetic. Salt Edge sends amounts and balances
 * as JSON numbers; `String(n)` is the shortest text that reads back as the same double, which is
 * the bank's decimal for any value with ≤ 15 significant digits. The digits are then handled as
 * text only (exponent expanded by moving the point, at least two decimals).
 */

/** `72.1` → `'72.10'`, `-25.5` → `'-25.50'`, `100` → `'100.00'`, `1e-7` → `'0.0000001'`; null when not a finite number. */
export function numberToDecimal (value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  const text = String(value)
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text)
  if (m === null) return null
  const negative = m[1] === '-'
  let digits = (m[2] as string) + (m[3] ?? '')
  let point = (m[2] as string).length + Number(m[4] ?? '0')
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits
    point = 1
  } else if (point > digits.length) {
    digits = digits.padEnd(point, '0')
  }
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, '')
  let fraction = digits.slice(point).replace(/0+$/, '')
  fraction = fraction.padEnd(2, '0')
  const zero = /^0+$/.test(integer) && /^0+$/.test(fraction)
  return `${negative && !zero ? '-' : ''}${integer}.${fraction}`
}

/** Decimal string → signed integer minor units for two-decimal currencies (sandbox control input). */
export function decimalToMinor (text: string): number | null {
  const m = /^([+-]?)(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.trim())
  if (m === null) return null
  const minor = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'))
  return m[1] === '-' ? -minor : minor
}

/** Minor units → JSON number the way Salt Edge sends amounts (`-1230` → `-12.3`). */
export function minorToNumber (minor: number): number {
  const sign = minor < 0 ? '-' : ''
  const abs = Math.abs(minor)
  return Number(`${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`)
}
