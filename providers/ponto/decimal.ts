/**
 * Decimal strings from Ponto's JSON numbers without float arithmetic: the shortest round-trip
 * text of the parsed number (what the provider sent) is reshaped as a string, never computed.
 */

/** Expands `1.5e-7` / `2e+21` into plain digits, by moving the decimal point in the text. */
function expandExponent (text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(text)
  if (m === null) return text
  const [, sign, intPart, fracPart = '', expText] = m as unknown as [string, string, string, string | undefined, string]
  const digits = intPart + fracPart
  const point = intPart.length + Number(expText)
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

/** `'-0012.5'` → `'-12.50'`; keeps extra decimals rather than rounding them away. */
function reshape (text: string): string {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text)
  if (m === null) throw new Error('not a decimal')
  const negative = m[1] === '-'
  const intPart = (m[2] as string).replace(/^0+(?=\d)/, '')
  const frac = (m[3] ?? '').replace(/0+$/, '').padEnd(2, '0')
  const zero = /^0+$/.test(intPart) && /^0+$/.test(frac)
  return `${negative && !zero ? '-' : ''}${intPart}.${frac}`
}

/** A JSON number (or numeric string) as a decimal string with at least two decimals, or null. */
export function decimalString (value: unknown): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null
    return reshape(expandExponent(String(value)))
  }
  if (typeof value === 'string' && /^[+-]?\d+(\.\d+)?$/.test(value.trim())) return reshape(value.trim())
  return null
}
