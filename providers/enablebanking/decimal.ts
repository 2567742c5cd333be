/**
 * Decimal strings without floating point: Enable Banking sends amounts as decimal strings
 * (`^-?\d+(\.\d+)?$`), and they stay strings all the way to Odoo.
 */

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/

/** Parts of a decimal string, or null when it is not one. */
function parse (text: string): { negative: boolean, integer: string, fraction: string } | null {
  const m = DECIMAL.exec(text.trim())
  if (m === null) return null
  const integer = (m[2] as string).replace(/^0+(?=\d)/, '')
  const fraction = (m[3] ?? '').padEnd(2, '0')
  return { negative: m[1] === '-', integer, fraction }
}

function isZero (p: { integer: string, fraction: string }): boolean {
  return /^0+$/.test(p.integer) && /^0*$/.test(p.fraction)
}

/** Unsigned canonical form (`'5.2'` → `'5.20'`, `'-007'` → `'7.00'`), or null when not a decimal. */
export function absoluteDecimal (text: string): string | null {
  const p = parse(text)
  return p === null ? null : `${p.integer}.${p.fraction}`
}

/** Signed canonical form keeping the given sign (`'-0'` → `'0.00'`), or null when not a decimal. */
export function signedDecimal (text: string): string | null {
  const p = parse(text)
  if (p === null) return null
  const body = `${p.integer}.${p.fraction}`
  return p.negative && !isZero(p) ? `-${body}` : body
}

/**
 * Amount signed from the account holder's side: the absolute value with the direction from
 * `credit_debit_indicator` (some banks send signed values; the indicator wins).
 */
export function amountWithIndicator (text: string, indicator: 'CRDT' | 'DBIT'): string | null {
  const p = parse(text)
  if (p === null) return null
  const body = `${p.integer}.${p.fraction}`
  return indicator === 'DBIT' && !isZero(p) ? `-${body}` : body
}
