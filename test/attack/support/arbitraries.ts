/**
 * fast-check arbitraries for hostile requests: values shaped by a JSON schema (the OpenAPI request
 * schemas), nasty values (NUL, lone surrogates, RTL overrides, emoji, huge numbers, very long
 * strings), mutations of a valid value (wrong type, missing field, extra and prototype keys, deep
 * nesting) and raw JSON texts that `JSON.stringify` cannot produce (big literals, duplicate keys).
 */
import fc from 'fast-check'
import type { JsonSchema } from './openapi.js'

/** A JSON text fragment spliced in verbatim: `{"n": RAW(1e400)}` after `renderJson`. */
const RAW = (literal: string): string => `RAW\u00a7${literal}\u00a7`
const RAW_MARK = /"RAW\u00a7([^\u00a7"]*)\u00a7"/g

export const NASTY_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\udc00y', '\u202eevil\u202c', '\u200f\u0645\u0631\u062d\u0628\u0627',
  '\ud83d\ude00\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67', '../../../etc/passwd', '..\\..\\windows', '%00', '%2e%2e%2f', '${jndi:ldap://127.0.0.1/x}',
  '<script>alert(1)</script>', "' OR '1'='1", '\r\nx-injected: 1', 'NaN', 'null', 'true', '-1', '0', '1e400', '\\', '"', '{}', '[]',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'old_record_to_delete', 'duplicate', 'cl_', 'ref_'
]

const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', '', '\u0000', 'utils', 'db_uuid', '\ud800', '$where', 'a.b', 'a[b]']

const RAW_LITERALS = ['1e400', '-1e400', '123456789012345678901234567890', '-0', '0.0000000000000000000000000001', '1E+2', '1.0', '9007199254740993', `1${'0'.repeat(5000)}`]

/** Percent-encodes anything, lone surrogates included (as the WTF-8 bytes a sloppy client sends). */
export function encodeAny (s: string): string {
  let out = ''
  for (const ch of s) {
    const c = ch.codePointAt(0) as number
    if (c >= 0xd800 && c <= 0xdfff) out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase()
    else out += encodeURIComponent(ch)
  }
  return out
}

export const longString = fc.oneof(
  fc.integer({ min: 1_000, max: 200_000 }).map(n => 'A'.repeat(n)),
  fc.integer({ min: 100, max: 20_000 }).map(n => '\ud83d\ude00\u202e\u0000'.repeat(n))
)

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: longString }
)

const nastyNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, Number.MAX_SAFE_INTEGER, 4294967296),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...RAW_LITERALS).map(RAW)
)

/** Deeply nested arrays or objects, up to 100,000 levels (the body limit is 1 MiB). */
const deepNesting = fc.tuple(fc.constantFrom(64, 600, 5_000, 100_000), fc.boolean()).map(([depth, arrays]) =>
  RAW(arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)))

export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { __proto__: null }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepNesting }
)

function stringFor (schema: JsonSchema): fc.Arbitrary<string> {
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 40
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0
  if (typeof schema.pattern === 'string') {
    return fc.stringMatching(new RegExp(schema.pattern)).filter(s => s.length >= min && s.length <= max)
  }
  if (schema.format === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map(d => d.toISOString().slice(0, 10))
  return fc.string({ minLength: min, maxLength: Math.min(max, 60) })
}

/** A value that satisfies `schema` (valid-looking): the starting point of every mutation. */
export function sampleOf (schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]))
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as JsonSchema[]).map(s => sampleOf(s, depth + 1)))
  switch (schema.type) {
    case 'string': return stringFor(schema)
    case 'integer': return fc.integer({ min: typeof schema.minimum === 'number' ? schema.minimum : -1000, max: typeof schema.maximum === 'number' ? schema.maximum : 100_000 })
    case 'number': return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
    case 'boolean': return fc.boolean()
    case 'null': return fc.constant(null)
    case 'array': return fc.array(sampleOf((schema.items ?? {}) as JsonSchema, depth + 1), { maxLength: 4 })
    case 'object': return objectOf(schema, depth)
    default: return fc.jsonValue({ maxDepth: 2 })
  }
}

function objectOf (schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>
  const required = (schema.required ?? []) as string[]
  const model: Record<string, fc.Arbitrary<unknown>> = {}
  for (const [name, sub] of Object.entries(props)) model[name] = sampleOf(sub, depth + 1)
  return fc.record(model, { requiredKeys: required.filter(k => k in props) })
}

type Mutation =
  | { kind: 'replace', pick: number, value: unknown }
  | { kind: 'remove', pick: number }
  | { kind: 'add', pick: number, key: string, value: unknown }
  | { kind: 'wrap', pick: number, depth: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: nastyValue }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), pick: fc.nat(), key: fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 12 })), value: nastyValue }),
  fc.record({ kind: fc.constant('wrap' as const), pick: fc.nat(), depth: fc.integer({ min: 1, max: 3 }) })
)

/** Every object or array inside `root` (root first), as the containers a mutation may touch. */
function containers (root: unknown): Array<Record<string, unknown> | unknown[]> {
  const out: Array<Record<string, unknown> | unknown[]> = []
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 8 || out.length > 200) return
    out.push(v as Record<string, unknown>)
    for (const child of Object.values(v)) walk(child, depth + 1)
  }
  walk(root, 0)
  return out
}

function apply (root: unknown, m: Mutation): unknown {
  const all = containers(root)
  // a copy: generated values can be shared (constants), and a shared one inserted twice could end up
  // inside itself (a circular body, seen with FUZZ_SEED=628361810) or change the next case's constant
  const value = m.kind === 'replace' || m.kind === 'add' ? structuredClone(m.value) : undefined
  if (all.length === 0) return m.kind === 'replace' ? value : root
  const target = all[m.pick % all.length] as Record<string, unknown>
  const keys = Object.keys(target)
  const key = keys.length > 0 ? keys[m.pick % keys.length] as string : null
  if (m.kind === 'replace' && key !== null) target[key] = value
  else if (m.kind === 'remove' && key !== null) delete target[key]
  // an array gets one more element (a generated key such as "length" cannot be defined on it)
  else if (m.kind === 'add' && Array.isArray(target)) target.push(value)
  else if (m.kind === 'add') Object.defineProperty(target, m.key, { value, enumerable: true, writable: true, configurable: true })
  else if (m.kind === 'wrap' && key !== null) {
    let v = target[key]
    for (let i = 0; i < m.depth; i++) v = i % 2 === 0 ? [v] : { value: v }
    target[key] = v
  }
  return root
}

/** A schema-shaped value with 0–3 mutations (a third of the cases stay valid-looking). */
export function mutatedOf (schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc.tuple(sampleOf(schema), fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }))
    .map(([value, mutations]) => mutations.reduce<unknown>((v, m) => apply(v, m), structuredClone(value)))
}

/** `JSON.stringify` with the RAW(...) placeholders spliced in as literal JSON text. */
export function renderJson (value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(RAW_MARK, (_m, literal: string) => literal)
}

/** Texts that are not what `JSON.stringify` of a plain object gives. */
export const rawBodyText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', 'null', '[]', '"x"', '1', 'true', '{', '{"a":', '{"utils":{"db_uuid":"x"}}}', 'NaN', '{"a":NaN}', '{"a":Infinity}',
    '{"a":1,"a":2}', '{"utils":{"db_uuid":"db-aaaa-0001"},"utils":{"db_uuid":"db-bbbb-0002"}}',
    '{"__proto__":{"polluted":1},"utils":{"db_uuid":"db-aaaa-0001"}}', '{"constructor":{"prototype":{"polluted":1}},"utils":{"db_uuid":"db-aaaa-0001"}}',
    '\ufeff{"utils":{"db_uuid":"db-aaaa-0001"}}', '{"utils":{"db_uuid":"db-aaaa-0001"}} trailing', '{"s":"\\ud800"}', '{"s":"\\u0000"}', '{"s":"\\x41"}',
    "{'single':'quotes'}", '{"a":1,}', '[1,2,3]'
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 4 }).map(v => JSON.stringify(v) ?? 'null'),
  deepNesting.map(renderJson)
)

/** Header values a real HTTP client can send (latin-1 without control characters). */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS.filter(s => /^[\t\x20-\x7e\x80-\xff]*$/.test(s))),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }).map(s => s.replace(/[^\t\x20-\x7e]/g, '')),
  fc.integer({ min: 0, max: 2_000 }).map(n => 'x'.repeat(n)),
  fc.constantFrom('Bearer ', 'Bearer a.b.c', 'Basic dXNlcjpwYXNz', 'bearer x', `Bearer ${'A'.repeat(5000)}.${'B'.repeat(5000)}.`)
)

export const queryValue: fc.Arbitrary<string> = fc.oneof(nastyString.filter(s => s.length < 3_000), fc.constantFrom('1', '0', '-1', '500', '501', '99999999999999999999', 'BE', 'be', 'XX'))

/** Raw query strings, also malformed percent-encoding and prototype-looking keys. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.oneof(fc.constantFrom(...NASTY_KEYS, 'limit', 'country', 'access_token', 'token'), fc.string({ maxLength: 10 })), queryValue), { maxLength: 4 })
    .map(pairs => '?' + pairs.map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`).join('&')),
  fc.constantFrom('?%', '?a=%E0%A4%A', '?%ZZ=1', '?a[b]=1', '?__proto__[x]=1', '?constructor[prototype][x]=1', '?a=1&a=2&a=3', '?&&&', '?=', `?q=${'%F0%9F%98%80'.repeat(500)}`)
)

/** A path segment: raw (valid URL characters only) or percent-encoded anything. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('..', '.', '../admin/locks', '..%2f..%2fadmin', '%2e%2e%2f', '%00', '%ZZ', 'a%2Fb', '%', '%C0%AE', '~', '*', 'x;y', 'x?y=1', '%3F', `${'a'.repeat(101)}`, `${'a'.repeat(5000)}`),
  nastyString.filter(s => s.length < 2_000).map(encodeAny),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 64 }).map(encodeAny)
)
