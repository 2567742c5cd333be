/**
 * Byte-exact TypeScript twin of Python's `json.dumps(json.loads(body), sort_keys=True)`, the body
 * part of the OdooFin request signature (odoo-protocol.md §4). One pass, no recursion, no JS object:
 * every value is re-serialised as soon as it is scanned, objects are sorted when they close.
 */

export class CanonicalJsonError extends Error {
  readonly position: number

  constructor (message: string, position: number) {
    super(`${message} (at ${position})`)
    this.name = 'CanonicalJsonError'
    this.position = position
  }
}

const MAX_DEPTH = 512
// CPython >= 3.11 (sys.int_info.default_max_str_digits): json.loads raises ValueError above this
const MAX_INT_DIGITS = 4300

const HEX = '0123456789abcdef'
const ASCII_ESCAPES = Array.from({ length: 0x80 }, (_, c) => c < 0x20 ? '\\u00' + HEX[c >> 4] + HEX[c & 15] : undefined)
Object.assign(ASCII_ESCAPES, { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 0x22: '\\"', 0x5c: '\\\\', 0x7f: '\\u007f' })

/** Python ensure_ascii escaping of one UTF-16 unit (astral characters come out as their two units). */
function escapeUnit (c: number): string {
  if (c < 0x80) return ASCII_ESCAPES[c] ?? String.fromCharCode(c)
  return '\\u' + HEX[c >> 12] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15]
}

/** Python's `json.dumps(str)` with ensure_ascii=True, quotes included. */
export function pythonJsonString (value: string): string {
  const parts: string[] = ['"']
  let run = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue
    if (i > run) parts.push(value.slice(run, i))
    parts.push(escapeUnit(c))
    run = i + 1
  }
  if (run < value.length) parts.push(value.slice(run))
  parts.push('"')
  return parts.join('')
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff

function codePointAt (s: string, i: number): number {
  const c = s.charCodeAt(i)
  if (isHigh(c)) {
    const d = s.charCodeAt(i + 1)
    if (isLow(d)) return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
  }
  return c
}

/**
 * Python str order (code points). UTF-16 order only disagrees when both differing units are >= 0xD800:
 * a surrogate pair (astral) must sort after U+E000..U+FFFF, a lone surrogate before them.
 */
export function compareCodePoints (a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++
  if (i === n) return a.length - b.length
  const x = a.charCodeAt(i)
  const y = b.charCodeAt(i)
  if (x < 0xd800 || y < 0xd800) return x - y
  if (i > 0 && isHigh(a.charCodeAt(i - 1))) {
    // same high surrogate just before: whoever continues it with a low one holds an astral code point
    const xl = isLow(x)
    const yl = isLow(y)
    if (xl && yl) return x - y
    if (xl) return 1
    if (yl) return -1
  }
  return codePointAt(a, i) - codePointAt(b, i)
}

/** Python `repr(float)` (plus the JSON encoder's Infinity/NaN spellings). */
export function pythonFloatRepr (x: number): string {
  if (x !== x) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const abs = x < 0 ? -x : x
  const sign = x < 0 ? '-' : ''
  const js = String(abs)
  // JS and Python agree on the shortest digits; on [1e-4, 1e16) both print them positionally
  if (abs >= 1e-4 && abs < 1e16) return sign + (js.includes('.') ? js : js + '.0')
  let digits: string
  let exp: number // decimal exponent of the first digit
  const e = js.indexOf('e')
  if (e >= 0) {
    digits = js.slice(0, e).replace('.', '')
    exp = Number(js.slice(e + 1))
  } else if (js.startsWith('0.')) {
    let z = 2
    while (js.charCodeAt(z) === 0x30) z++
    digits = js.slice(z)
    exp = 1 - z
  } else {
    digits = js
    exp = js.length - 1
  }
  let end = digits.length
  while (end > 1 && digits.charCodeAt(end - 1) === 0x30) end--
  const mantissa = end > 1 ? digits[0] + '.' + digits.slice(1, end) : digits[0]
  const ae = exp < 0 ? -exp : exp
  return sign + mantissa + (exp < 0 ? 'e-' : 'e+') + (ae < 10 ? '0' : '') + ae
}

interface Frame {
  obj: boolean
  wide: boolean // some key has a unit >= 0xD800: needs code-point ordering
  n: number // members so far (the arrays are reused, not truncated)
  keys: string[] // decoded keys, for ordering and duplicate detection
  starts: number[] // output offset where each `key: value` member begins
}

// Scratch state of the current call (the canonicaliser is synchronous, so module level is safe).
// Output is pure ASCII, written as bytes; objects are re-ordered in place when they close.
const EMPTY = Buffer.alloc(0)
const SCRATCH = Buffer.allocUnsafe(1 << 16) // small bodies skip the allocation
let out = EMPTY
let o = 0
let tokKey = ''
let tokWide = false
let maxDepth = 0
const pool: Frame[] = []
const order: number[] = []
let sortKeys: string[] = []
const codePointOrder = (a: number, b: number): number => compareCodePoints(sortKeys[a], sortKeys[b]) || a - b
const nativeOrder = (a: number, b: number): number => {
  const x = sortKeys[a]
  const y = sortKeys[b]
  return x < y ? -1 : x > y ? 1 : a - b
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function fail (message: string, position: number): never {
  throw new CanonicalJsonError(message, position)
}

function ensure (bytes: number): void {
  if (o + bytes <= out.length) return
  const next = Buffer.allocUnsafe(Math.max(o + bytes, out.length * 2))
  out.copy(next, 0, 0, o)
  out = next
}

function writeAscii (text: string): void {
  ensure(text.length)
  for (let k = 0; k < text.length; k++) out[o++] = text.charCodeAt(k)
}

const HEX_BYTES = Buffer.from(HEX)

function writeEscapedUnit (c: number): void {
  if (c < 0x80) {
    const esc = ASCII_ESCAPES[c]
    if (esc === undefined) { ensure(1); out[o++] = c } else writeAscii(esc)
    return
  }
  ensure(6)
  out[o++] = 0x5c
  out[o++] = 0x75
  out[o++] = HEX_BYTES[c >> 12]
  out[o++] = HEX_BYTES[(c >> 8) & 15]
  out[o++] = HEX_BYTES[(c >> 4) & 15]
  out[o++] = HEX_BYTES[c & 15]
}

function skipWs (s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i)
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i
    i++
  }
}

function hex4 (s: string, i: number): number {
  let v = 0
  for (let k = i; k < i + 4; k++) {
    const c = s.charCodeAt(k)
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 87 : c >= 0x41 && c <= 0x46 ? c - 55 : -1
    if (d < 0) return -1
    v = (v << 4) | d
  }
  return v
}

const SIMPLE_ESCAPES: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 }

/** Writes the string token starting at `start` (a quote); for keys also sets tokKey/tokWide. */
function scanString (s: string, start: number, key: boolean): number {
  const n = s.length
  ensure(n - start + 1) // enough for any run of plain ASCII, which is copied as is
  out[o++] = 0x22
  let i = start + 1
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c === 0x22) {
      out[o++] = 0x22
      if (key) { tokKey = s.slice(start + 1, i); tokWide = false }
      return i + 1
    }
    if (c < 0x20 || c >= 0x7f || c === 0x5c) break
    out[o++] = c
    i++
  }
  return scanStringSlow(s, start, i, key)
}

function scanStringSlow (s: string, start: number, i: number, key: boolean): number {
  const n = s.length
  const dec: string[] = key ? [s.slice(start + 1, i)] : []
  let run = i
  let wide = false
  for (;;) {
    if (i >= n) fail('Unterminated string', start)
    const c = s.charCodeAt(i)
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) {
      ensure(1)
      out[o++] = c
      i++
      continue
    }
    if (key && i > run) dec.push(s.slice(run, i))
    if (c === 0x22) break
    if (c < 0x20) fail('Invalid control character in string', i)
    let u = c
    if (c === 0x5c) {
      const e = s.charCodeAt(i + 1)
      if (e === 0x75) {
        u = hex4(s, i + 2)
        if (u < 0) fail('Invalid \\uXXXX escape', i)
        i += 6
      } else {
        u = SIMPLE_ESCAPES[e] ?? fail('Invalid \\escape', i)
        i += 2
      }
    } else {
      i++
    }
    writeEscapedUnit(u)
    if (key) {
      dec.push(String.fromCharCode(u))
      if (u >= 0xd800) wide = true
    }
    run = i
  }
  ensure(1)
  out[o++] = 0x22
  if (key) { tokKey = dec.join(''); tokWide = wide }
  return i + 1
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

function scanNumber (s: string, start: number): number {
  let i = start
  let c = s.charCodeAt(i)
  if (c === 0x2d) c = s.charCodeAt(++i)
  const intStart = i
  if (c === 0x30) c = s.charCodeAt(++i)
  else if (c >= 0x31 && c <= 0x39) { do c = s.charCodeAt(++i); while (isDigit(c)) } else fail('Expecting value', start)
  const intEnd = i
  let fracEnd = 0
  if (c === 0x2e) {
    c = s.charCodeAt(++i)
    if (!isDigit(c)) fail('Invalid number', start)
    do c = s.charCodeAt(++i); while (isDigit(c))
    fracEnd = i
  }
  if (c === 0x65 || c === 0x45) {
    c = s.charCodeAt(++i)
    if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++i)
    if (!isDigit(c)) fail('Invalid number', start)
    do c = s.charCodeAt(++i); while (isDigit(c))
    // V8's string-to-double is correctly rounded, like CPython's dtoa
    writeAscii(pythonFloatRepr(Number(s.slice(start, i))))
  } else if (fracEnd !== 0) {
    writeDecimal(s, start, intStart, intEnd, fracEnd)
  } else if (intEnd - intStart > MAX_INT_DIGITS) {
    fail('Integer exceeds 4300 digits', start)
  } else {
    // -0 is the int 0
    const from = intEnd - intStart === 1 && s.charCodeAt(intStart) === 0x30 ? intStart : start
    ensure(i - from)
    for (let k = from; k < i; k++) out[o++] = s.charCodeAt(k)
  }
  return i
}

/**
 * A float lexeme without exponent. With at most 15 significant digits (DBL_DIG) its digits are the
 * shortest round-trip ones, so in Python's positional range [1e-4, 1e16) repr only drops trailing zeros.
 */
function writeDecimal (s: string, start: number, intStart: number, intEnd: number, fracEnd: number): void {
  let last = fracEnd - 1 // last significant fraction digit, or the dot
  while (s.charCodeAt(last) === 0x30) last--
  let significant: number
  let positional: boolean
  if (intEnd - intStart === 1 && s.charCodeAt(intStart) === 0x30) {
    let first = intEnd + 1
    while (first <= last && s.charCodeAt(first) === 0x30) first++
    significant = last - first + 1
    positional = first - intEnd <= 4 || significant <= 0
  } else {
    significant = intEnd - intStart + last - intEnd
    positional = intEnd - intStart <= 16
  }
  if (significant > 15 || !positional) {
    writeAscii(pythonFloatRepr(Number(s.slice(start, fracEnd))))
    return
  }
  ensure(last - start + 2)
  for (let k = start; k <= last; k++) out[o++] = s.charCodeAt(k)
  if (last === intEnd) out[o++] = 0x30
}

function scanLiteral (s: string, i: number, word: string): number {
  if (!s.startsWith(word, i)) fail('Expecting value', i)
  writeAscii(word)
  return i + word.length
}

function scanScalar (s: string, i: number): number {
  switch (s.charCodeAt(i)) {
    case 0x22: return scanString(s, i, false)
    case 0x6e: return scanLiteral(s, i, 'null')
    case 0x74: return scanLiteral(s, i, 'true')
    case 0x66: return scanLiteral(s, i, 'false')
    case 0x4e: return scanLiteral(s, i, 'NaN')
    case 0x49: return scanLiteral(s, i, 'Infinity')
    case 0x2d: return s.charCodeAt(i + 1) === 0x49 ? scanLiteral(s, i, '-Infinity') : scanNumber(s, i)
    default: return scanNumber(s, i)
  }
}

/** Reads `"key" :` and the whitespace after it, writes `"key": `; returns the index of the value. */
function scanKey (s: string, i: number, f: Frame): number {
  if (s.charCodeAt(i) !== 0x22) fail('Expecting property name enclosed in double quotes', i)
  f.starts[f.n] = o
  i = skipWs(s, scanString(s, i, true))
  if (s.charCodeAt(i) !== 0x3a) fail("Expecting ':' delimiter", i)
  f.keys[f.n++] = tokKey
  if (tokWide) f.wide = true
  ensure(2)
  out[o++] = 0x3a
  out[o++] = 0x20
  return skipWs(s, i + 1)
}

/** Stable sort of member indexes 0..n-1 by key into `order`; returns false if already in order. */
function sortOrder (keys: string[], n: number, wide: boolean): boolean {
  let moved = false
  if (n > 16) {
    order.length = n
    for (let k = 0; k < n; k++) order[k] = k
    sortKeys = keys
    order.sort(wide ? codePointOrder : nativeOrder)
    sortKeys = []
    for (let k = 0; k < n && !moved; k++) moved = order[k] !== k
    return moved
  }
  for (let k = 0; k < n; k++) {
    const key = keys[k]
    let j = k - 1
    while (j >= 0 && (wide ? compareCodePoints(keys[order[j]], key) > 0 : keys[order[j]] > key)) {
      order[j + 1] = order[j]
      j--
    }
    if (j !== k - 1) moved = true
    order[j + 1] = k
  }
  return moved
}

/** Puts the members of the object being closed in key order, keeping only the last of equal keys. */
function sortMembers (f: Frame): void {
  const { keys, starts, n } = f
  f.n = 0
  let rewrite = sortOrder(keys, n, f.wide)
  for (let k = 1; k < n && !rewrite; k++) rewrite = keys[order[k - 1]] === keys[order[k]]
  if (!rewrite) return
  // assemble the sorted members after the end of the output, then move them back in one go
  const base = starts[0]
  ensure(o - base)
  let t = o
  for (let k = 0; k < n; k++) {
    const a = order[k]
    // equal keys are adjacent and in input order: the last one wins, as in a Python dict
    if (k + 1 < n && keys[order[k + 1]] === keys[a]) continue
    if (t > o) { out[t++] = 0x2c; out[t++] = 0x20 }
    const from = starts[a]
    const to = a + 1 < n ? starts[a + 1] - 2 : o
    if (to - from > 32) out.copyWithin(t, from, to)
    else for (let j = from; j < to; j++) out[t + j - from] = out[j]
    t += to - from
  }
  out.copyWithin(base, o, t)
  o = base + t - o
}

function scan (s: string): string {
  const n = s.length
  out = 2 * n + 64 <= SCRATCH.length ? SCRATCH : Buffer.allocUnsafe(n + (n >> 1) + 64)
  o = 0
  let depth = 0
  let i = skipWs(s, 0)
  for (;;) {
    const c = s.charCodeAt(i)
    if (c === 0x7b || c === 0x5b) {
      if (depth >= MAX_DEPTH) fail('Nesting deeper than 512 levels', i)
      const obj = c === 0x7b
      const close = obj ? 0x7d : 0x5d
      i = skipWs(s, i + 1)
      ensure(2)
      out[o++] = c
      if (s.charCodeAt(i) === close) {
        out[o++] = close
        i++
      } else {
        const f = pool[depth] ??= { obj, wide: false, n: 0, keys: [], starts: [] }
        f.obj = obj
        f.wide = false
        f.n = 0
        if (++depth > maxDepth) maxDepth = depth
        if (obj) i = scanKey(s, i, f)
        continue
      }
    } else {
      if (i >= n) fail('Expecting value', i)
      i = scanScalar(s, i)
    }
    for (;;) {
      if (depth === 0) {
        i = skipWs(s, i)
        if (i !== n) fail('Extra data', i)
        return out.toString('latin1', 0, o)
      }
      const f = pool[depth - 1]
      i = skipWs(s, i)
      const d = s.charCodeAt(i)
      if (d === 0x2c) {
        i = skipWs(s, i + 1)
        ensure(2)
        out[o++] = 0x2c
        out[o++] = 0x20
        if (f.obj) i = scanKey(s, i, f)
        break
      }
      if (d !== (f.obj ? 0x7d : 0x5d)) fail(f.obj ? "Expecting ',' delimiter or '}'" : "Expecting ',' delimiter or ']'", i)
      i++
      if (f.obj) sortMembers(f)
      ensure(1)
      out[o++] = d
      depth--
    }
  }
}

/**
 * Python's `json.dumps(json.loads(raw), sort_keys=True)`. A Uint8Array is decoded as strict UTF-8
 * (a BOM is kept and then rejected, as Python's json.loads does).
 * @throws CanonicalJsonError whenever Python's json.loads would raise (and above 512 nesting levels)
 */
export function canonicalizePythonJson (raw: string | Uint8Array): string {
  let s: string
  if (typeof raw === 'string') {
    s = raw
  } else {
    try { s = utf8.decode(raw) } catch { fail('Invalid UTF-8', 0) }
  }
  maxDepth = 0
  try {
    return scan(s)
  } finally {
    // release the output and the keys (slices may pin the whole input)
    out = EMPTY
    sortKeys = []
    for (let d = 0; d < maxDepth; d++) pool[d].keys.length = 0
  }
}
