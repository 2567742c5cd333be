import t from 'tap'
import { spawnSync } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { CanonicalJsonError, canonicalizePythonJson } from '../../src/protocol/canonical-json.js'
import { canonicalQueryJson, computeSignature, signatureMessage, verifySignature } from '../../src/protocol/signature.js'

// ---- seeded generator of raw JSON texts (CANONICAL_JSON_SEED=<n> replays a run) ----
const seed = Number(process.env.CANONICAL_JSON_SEED ?? randomInt(2 ** 31))
t.comment(`canonical-json random seed: ${seed}`)

let state = seed >>> 0
function rand (): number { // mulberry32
  state = (state + 0x6d2b79f5) >>> 0
  let x = state
  x = Math.imul(x ^ (x >>> 15), x | 1)
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296
}
const int = (n: number): number => Math.floor(rand() * n)
const pick = <T>(items: readonly T[]): T => items[int(items.length)]
const digits = (n: number): string => Array.from({ length: n }, () => String(int(10))).join('')
const hex4 = (u: number): string => {
  const h = u.toString(16).padStart(4, '0')
  return '\\u' + (rand() < 0.5 ? h : h.toUpperCase())
}
const ws = (): string => rand() < 0.6 ? '' : Array.from({ length: 1 + int(3) }, () => pick([' ', '\t', '\n', '\r'])).join('')

const RAW_CHARS = ['é', 'ü', 'ß', '中', '文', '\u007f', '\u0080', '\u00a0', '\u2028', '\ue000', '\uf8ff', '\ufeff', '\uffff', '😀', '\u{10000}', '\u{1d11e}', '\u{10ffff}', '/']
const SIMPLE_ESCAPES = ['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t']

function unitEscape (): string {
  switch (int(8)) {
    case 0: return hex4(int(0x20)) // control characters
    case 1: return hex4(0x20 + int(0x60))
    case 2: return hex4(0x80 + int(0xd800 - 0x80))
    case 3: return hex4(0xe000 + int(0x2000))
    case 4: return hex4(0xd800 + int(0x400)) + hex4(0xdc00 + int(0x400)) // surrogate pair
    case 5: return hex4(0xd800 + int(0x800)) // lone surrogate
    case 6: return hex4(0xfff0 + int(0x10))
    default: return hex4(int(0x10000))
  }
}

function stringBody (maxPieces = 6): string {
  let text = ''
  for (let k = int(maxPieces); k > 0; k--) {
    const r = int(10)
    if (r < 4) text += Array.from({ length: int(12) }, () => String.fromCharCode(pick([0x20 + int(2), 0x23 + int(0x39), 0x5d + int(0x22)]))).join('')
    else if (r < 6) text += pick(SIMPLE_ESCAPES)
    else if (r < 8) text += unitEscape()
    else text += pick(RAW_CHARS)
  }
  return text
}

const KEYS = ['a', 'b', 'A', 'B', '', 'aa', 'ab', 'z', 'amount', 'id', 'é', '\\u00e9', '\\u00E9', '\ue000', '\\ue000', '\uffff',
  '\\uffff', '😀', '\\ud83d\\ude00', '\\ud83d', '\\udfff', '\\ud800\\udc00', '\u{10000}', 'a\\u0000', '\\/', '/', '\\"']

function floatLexeme (): string {
  switch (int(7)) {
    case 0: case 1: { // any double, every magnitude (including subnormals)
      const view = new DataView(new ArrayBuffer(8))
      view.setUint32(0, rand() < 0.1 ? int(0x100000) : int(2 ** 32))
      view.setUint32(4, int(2 ** 32))
      const x = view.getFloat64(0)
      if (!Number.isFinite(x)) return '1.5'
      const lex = rand() < 0.5 ? String(x) : x.toExponential(int(21))
      return /[.eE]/.test(lex) ? (rand() < 0.3 ? lex.toUpperCase().replace('E+', 'E') : lex) : lex + '.0'
    }
    case 2: return (rand() < 0.5 ? '-' : '') + String(int(100000)) + '.' + digits(1 + int(4)) + (rand() < 0.3 ? '000' : '')
    case 3: // long mantissas and exponents across the whole range, exercising correct rounding
      return (rand() < 0.5 ? '-' : '') + (1 + int(9)) + '.' + digits(1 + int(25)) + pick(['e', 'E']) + pick(['', '+', '-']) + String(int(330)).padStart(1 + int(3), '0')
    case 4: return '0.' + '0'.repeat(int(8)) + digits(1 + int(17))
    case 5: return String(1 + int(9)) + digits(int(22)) + '.' + digits(1 + int(3))
    default: return pick(['1e400', '-1e400', '1e-400', '-1e-400', '-0.0', '0.0', '0e0', '-0E-0', '4.9e-324', '2.2250738585072014e-308',
      '2.225073858507201e-308', '1.7976931348623157e308', '1.7976931348623158e308', '1.7976931348623159e308', '9007199254740993.0',
      '1e16', '1e15', '1e-4', '1e-5', '9999999999999999.5', '0.30000000000000004', '123456789.123', '1e22', '1e21', '100.000'])
  }
}

function intLexeme (): string {
  if (rand() < 0.1) return pick(['0', '-0'])
  return (rand() < 0.4 ? '-' : '') + (1 + int(9)) + digits(int(rand() < 0.8 ? 12 : 45))
}

function value (depth: number): string {
  const r = depth > 5 ? 3 + int(7) : int(10)
  if (r < 2) {
    const members = Array.from({ length: int(7) }, () =>
      ws() + '"' + (rand() < 0.8 ? pick(KEYS) : stringBody(3)) + '"' + ws() + ':' + ws() + value(depth + 1) + ws())
    return '{' + (members.length > 0 ? members.join(',') : ws()) + '}'
  }
  if (r < 3) {
    const items = Array.from({ length: int(6) }, () => ws() + value(depth + 1) + ws())
    return '[' + (items.length > 0 ? items.join(',') : ws()) + ']'
  }
  if (r < 5) return '"' + stringBody() + '"'
  if (r < 7) return floatLexeme()
  if (r < 9) return intLexeme()
  return pick(['true', 'false', 'null', 'NaN', 'Infinity', '-Infinity'])
}

function deepBody (): string {
  const depth = 50 + int(450)
  const opens: string[] = []
  for (let d = 0; d < depth; d++) opens.push(rand() < 0.5 ? '[' + ws() : '{' + ws() + '"' + pick(KEYS) + '":' + ws())
  let text = opens.join('') + value(6)
  for (let d = depth - 1; d >= 0; d--) text += ws() + (opens[d][0] === '[' ? ']' : '}')
  return text
}

const randomBodies: string[] = []
for (let k = 0; k < 3000; k++) randomBodies.push(k % 100 === 99 ? deepBody() : ws() + value(rand() < 0.8 ? 0 : 3) + ws())

// ---- hand-picked cases: input, Python's exact output (also re-checked against Python below) ----
const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n)
const EXPECTED: Array<[string, string]> = [
  ['1e2', '100.0'], ['1e16', '1e+16'], ['2.5e-7', '2.5e-07'], ['1.10', '1.1'], ['-0.0', '-0.0'], ['1E400', 'Infinity'],
  ['-1e400', '-Infinity'], ['-0', '0'], ['0', '0'], ['-12', '-12'], ['123456789012345678901234567890', '123456789012345678901234567890'],
  ['-123456789012345678901234567890', '-123456789012345678901234567890'], ['5e-324', '5e-324'], ['1.7976931348623157e308', '1.7976931348623157e+308'],
  ['1e22', '1e+22'], ['1e21', '1e+21'], ['123456789.123', '123456789.123'], ['0.30000000000000004', '0.30000000000000004'],
  ['1e15', '1000000000000000.0'], ['0.0001', '0.0001'], ['0.00001', '1e-05'], ['1e-400', '0.0'], ['12.50', '12.5'], ['3.000', '3.0'],
  ['NaN', 'NaN'], ['Infinity', 'Infinity'], ['-Infinity', '-Infinity'], ['[NaN, -Infinity]', '[NaN, -Infinity]'],
  ['true', 'true'], ['null', 'null'], [' \t\n\r{} ', '{}'], ['[ ]', '[]'], ['{"b":[1,{}],"a":{"d":[],"c":false}}', '{"a": {"c": false, "d": []}, "b": [1, {}]}'],
  ['{"a":1,"b":2,"a":3}', '{"a": 3, "b": 2}'], ['{"\\u00e9":1,"é":2}', '{"\\u00e9": 2}'],
  ['"caf\\u00E9 é \\/ / \\u0041"', '"caf\\u00e9 \\u00e9 / / A"'], ['"😀"', '"\\ud83d\\ude00"'], ['"\\ud83d\\ude00"', '"\\ud83d\\ude00"'],
  ['"\\ud800"', '"\\ud800"'], ['"\\udc00x\\ud800"', '"\\udc00x\\ud800"'], ['"\\u0000\\u001f\\b\\f\\n\\r\\t\\"\\\\\u007f"', '"\\u0000\\u001f\\b\\f\\n\\r\\t\\"\\\\\\u007f"'],
  ['{"😀":1,"\ue000":2,"\uffff":3,"\\ud800":4,"z":5}', '{"z": 5, "\\ud800": 4, "\\ue000": 2, "\\uffff": 3, "\\ud83d\\ude00": 1}'],
  ['{"\\ud83d\\ude00":1,"\\ud83d":2,"\\ud83d\\ue000":3}', '{"\\ud83d": 2, "\\ud83d\\ue000": 3, "\\ud83d\\ude00": 1}'],
  [nest(200), nest(200).replace(/\]\[/g, '], [')]
]

const enc = (body: string | Buffer): string => Buffer.from(body).toString('base64')
const REJECTS: Array<string | Buffer> = ['', ' ', '{', '[1,]', '{"a":1,}', "{'a':1}", "'a'", '01', '-01', '+1', '.5', '1.', '1.e5', '1e', '1e+', '-',
  '--1', '"\u0001"', '"a\tb"', '"a\nb"', '"abc', '"\\x"', '"\\u12"', '"\\u12g4"', '"\\U0041"', 'nul', 'True', 'nan', 'inf', '-NaN', '+Infinity',
  '[1 2]', '{"a" 1}', '{1:2}', '{"a":1 "b":2}', '[1]]', '1 2', '\ufeff1', '[]x', '"\\ud800', '\u000b1', '\u00a01', '[1,,2]', '{,}',
  '1'.repeat(4301), '-' + '1'.repeat(4301), Buffer.from([0x22, 0xff, 0x22]), Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), Buffer.from([0x22, 0xc0, 0xaf, 0x22])]

const QUERIES = ['', 'a=1&a=2', 'b=2&a=1', 'x', 'x=', '=v', 'a+b=c+d', 'k=%C3%A9', 'k=%E2%82%AC&%F0%9F%98%80=1&%EE%80%80=2',
  'bad=%ff%fe&trunc=%F0%9F%98', 'pct=%zz%', 'a=1&&b=2', 'semi=1;2', 'q=%22quote%22%5C%0A']
const SIGNED = { timestamp: '1767225600', path: '/proxy/v1/transactions', clientId: 'client-42', accessToken: 'acc-tok', body: '{"params":{"b":[1.50,2e2],"a":"\u00e9"}, "jsonrpc":"2.0"}' }

const PYTHON = String.raw`
import base64, hashlib, hmac, json, os, sys
from urllib.parse import parse_qsl
try:
    from werkzeug.datastructures import MultiDict
except ImportError:
    class MultiDict(dict):  # werkzeug's layout: a list per key, items() yields the first values
        def __init__(self, pairs):
            for k, v in pairs: self.setdefault(k, []).append(v)
        def items(self): return [(k, v[0]) for k, v in dict.items(self)]
def url_decode(q):  # werkzeug.urls.url_decode (gone in werkzeug 3) = these pairs in a MultiDict
    return MultiDict(parse_qsl(q, keep_blank_values=True))
def canon(b64):
    try:
        return {'ok': json.dumps(json.loads(base64.b64decode(b64).decode('utf-8')), sort_keys=True)}
    except (ValueError, RecursionError) as e:
        return {'err': type(e).__name__ + ': ' + str(e)[:80]}
req = json.load(sys.stdin)
s = req['signed']
token = base64.b64encode(os.urandom(32)).decode()
message = '%s|%s|%s|%s|%s|%s' % (s['timestamp'], s['path'], s['clientId'], s['accessToken'],
    json.dumps(url_decode(''), sort_keys=True), json.dumps(json.loads(s['body']), sort_keys=True))
signature = base64.b64encode(hmac.new(base64.b64decode(token), message.encode('utf-8'), digestmod=hashlib.sha256).digest()).decode()
json.dump({
    'bodies': [canon(b) for b in req['bodies']],
    'rejects': [canon(b) for b in req['rejects']],
    'queries': [json.dumps(url_decode(q), sort_keys=True) for q in req['queries']],
    'signed': {'token': token, 'message': message, 'signature': signature},
}, sys.stdout)
`
interface PyResult { ok?: string, err?: string }
interface PyOutput { bodies: PyResult[], rejects: PyResult[], queries: string[], signed: { token: string, message: string, signature: string } }

const bodies = [...EXPECTED.map(([input]) => input), ...randomBodies]
const child = spawnSync('python3', ['-c', PYTHON], {
  input: JSON.stringify({ bodies: bodies.map(enc), rejects: REJECTS.map(enc), queries: QUERIES, signed: SIGNED }),
  encoding: 'utf8',
  maxBuffer: 512 * 1024 * 1024
})
if (child.status !== 0) throw new Error(`python3 failed: ${child.error?.message ?? child.stderr}`)
const py = JSON.parse(child.stdout) as PyOutput

function attempt (body: string | Buffer): PyResult {
  try {
    return { ok: canonicalizePythonJson(body) }
  } catch (err) {
    if (err instanceof CanonicalJsonError) return { err: err.message }
    throw err
  }
}

t.test('hand-picked cases', async t => {
  EXPECTED.forEach(([input, expected], k) => {
    t.equal(canonicalizePythonJson(input), expected, input.slice(0, 60))
    t.equal(py.bodies[k].ok, expected, `python agrees: ${input.slice(0, 60)}`)
  })
  t.equal(canonicalizePythonJson(Buffer.from('{"é":"😀"}')), '{"\\u00e9": "\\ud83d\\ude00"}', 'bytes input')
  t.equal(canonicalizePythonJson(nest(512)), nest(512).replace(/\]\[/g, '], ['), '512 levels accepted')
  t.throws(() => canonicalizePythonJson(nest(513)), CanonicalJsonError, '513 levels rejected')
  t.throws(() => canonicalizePythonJson('['.repeat(1e6)), CanonicalJsonError, 'no stack overflow')
  t.throws(() => canonicalizePythonJson('{"a":'.repeat(1e5)), CanonicalJsonError)
  t.equal(canonicalizePythonJson('1'.repeat(4300)), '1'.repeat(4300), 'CPython int digit limit is 4300')
  t.equal(canonicalizePythonJson('{"b":1,"a":2}'), '{"a": 2, "b": 1}', 'state is clean after a failed call')
})

t.test(`${randomBodies.length} random bodies match Python byte for byte (seed ${seed})`, async t => {
  const mismatches: Array<{ body: string, ours: PyResult, python: PyResult }> = []
  randomBodies.forEach((body, k) => {
    const python = py.bodies[EXPECTED.length + k]
    const ours = attempt(body)
    const viaBytes = attempt(Buffer.from(body))
    const same = (r: PyResult): boolean => r.ok === python.ok && (r.err === undefined) === (python.err === undefined)
    if ((!same(ours) || !same(viaBytes)) && mismatches.length < 5) mismatches.push({ body, ours, python })
  })
  t.same(mismatches, [], 'no mismatch')
  t.ok(py.bodies.slice(EXPECTED.length).filter(r => r.ok !== undefined).length > 2900, 'nearly all random bodies are valid JSON')
})

t.test('rejected like Python', async t => {
  REJECTS.forEach((body, k) => {
    const label = JSON.stringify(String(body).slice(0, 30))
    t.ok(py.rejects[k].err, `python rejects ${label}`)
    t.throws(() => canonicalizePythonJson(body), CanonicalJsonError, `rejects ${label}`)
  })
})

t.test('query json matches werkzeug url_decode + json.dumps', async t => {
  QUERIES.forEach((q, k) => { t.equal(canonicalQueryJson(new URLSearchParams(q)), py.queries[k], q) })
  t.equal(canonicalQueryJson(new URLSearchParams('a=1&a=2')), '{"a": "1"}', 'first value wins')
})

t.test('signature', async t => {
  const { token, message, signature } = py.signed
  const fields = { timestamp: SIGNED.timestamp, path: SIGNED.path, clientId: SIGNED.clientId, accessToken: SIGNED.accessToken }
  const ours = signatureMessage({ ...fields, queryJson: canonicalQueryJson(new URLSearchParams('')), bodyJson: canonicalizePythonJson(SIGNED.body) })
  t.equal(ours, message, 'message identical to the Odoo client')
  t.equal(computeSignature(token, ours), signature, 'signature identical to Python hmac')
  t.equal(signature.length, 44)
  t.ok(verifySignature(token, ours, signature), 'verifies')

  const tamperedBody = signatureMessage({ ...fields, queryJson: '{}', bodyJson: canonicalizePythonJson('{"params":{"b":[1.5,200.0],"a":"e"},"jsonrpc":"2.0"}') })
  const tamperedTime = signatureMessage({ ...fields, timestamp: '1767225601', queryJson: '{}', bodyJson: canonicalizePythonJson(SIGNED.body) })
  t.notOk(verifySignature(token, tamperedBody, signature), 'tampered body')
  t.notOk(verifySignature(token, tamperedTime, signature), 'tampered timestamp')
  t.notOk(verifySignature(computeSignature(token, 'x'), ours, signature), 'other key')
  t.notOk(verifySignature('', ours, signature), 'empty key')
  const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)
  const garbage = ['', 'abc', '!'.repeat(44), signature.slice(0, 43), signature + '=', ` ${signature}`, flipped,
    Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), Buffer.alloc(32).toString('base64'), signature.replace(/=$/, '')]
  for (const g of garbage) t.notOk(verifySignature(token, ours, g), `garbage ${JSON.stringify(g)}`)
  for (const g of [undefined, null, 42, {}]) t.notOk(verifySignature(token, ours, g as unknown as string), `non-string ${String(g)}`)
  t.notOk(verifySignature(null as unknown as string, ours, signature), 'non-string key')
})
