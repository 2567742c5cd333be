/** The grammar of the settings: each kind knows how to check a value and say what it expects. */

export interface SettingSpec {
  name: string
  /** `null` = required. */
  default: string | null
  kind: string
  description: string
  secret?: boolean
}

type Check = (value: string) => string | null

const KINDS: Record<string, Check> = {
  string: v => v.length > 0 && v.length <= 500 ? null : 'a non-empty string',
  port: v => /^\d{1,5}$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? null : 'a TCP port between 1 and 65535',
  url: v => v === '' || isHttpUrl(v) ? null : 'an http(s) URL such as https://bank-sync.example.com',
  'redis-url': v => v.split(',').every(u => /^rediss?:\/\/[^\s]+$/.test(u.trim()) || /^[\w.-]+:\d+$/.test(u.trim())) ? null : 'a redis:// URL (or a comma-separated list of host:port for cluster/sentinel)',
  prefix: v => /^[A-Za-z0-9:_-]{1,32}$/.test(v) ? null : 'a short key prefix of letters, digits, ":", "_" or "-"',
  keys: v => v.split(',').every(p => /^[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/]{43}=$/.test(p.trim())) ? null : 'comma-separated id:base64 pairs, each key exactly 32 bytes (run `banksync keygen`)',
  secret32: v => v === '' || Buffer.byteLength(v) >= 32 ? null : 'at least 32 bytes',
  bool: v => v === 'true' || v === 'false' ? null : 'true or false',
  seconds: v => /^\d{1,9}$/.test(v) && Number(v) > 0 ? null : 'a positive whole number of seconds',
  ms: v => /^\d{1,9}$/.test(v) && Number(v) > 0 ? null : 'a positive whole number of milliseconds',
  bytes: v => /^\d{1,10}$/.test(v) && Number(v) >= 1024 ? null : 'a whole number of bytes, at least 1024',
  providers: v => v.split(',').every(p => ['plaid', 'yodlee', 'saltedge', 'ponto', 'enablebanking'].includes(p.trim())) ? null : 'a comma-separated subset of plaid,yodlee,saltedge,ponto,enablebanking',
  'providers-or-none': v => v === '' || v.split(',').every(p => ['plaid', 'yodlee', 'saltedge', 'ponto', 'enablebanking'].includes(p.trim())) ? null : 'empty, or a comma-separated subset of plaid,yodlee,saltedge,ponto,enablebanking'
}

function isHttpUrl (v: string): boolean {
  try {
    const u = new URL(v)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === ''
  } catch {
    return false
  }
}

function checkFor (kind: string): Check {
  if (kind.startsWith('enum:')) {
    const allowed = kind.slice(5).split(',')
    return v => allowed.includes(v) ? null : `one of ${allowed.join(', ')}`
  }
  const check = KINDS[kind]
  if (check === undefined) throw new Error(`unknown setting kind ${kind}`)
  return check
}

export function parseSetting (specs: readonly SettingSpec[], env: Record<string, string | undefined>, name: string, fail: (variable: string, expected: string) => Error): string {
  const spec = specs.find(s => s.name === name)
  if (spec === undefined) throw new Error(`unknown setting ${name}`)
  const raw = env[name]
  const value = raw === undefined || raw === '' ? spec.default : raw.trim()
  if (value === null) throw fail(name, `is required: ${checkFor(spec.kind)('') ?? 'a value'}`)
  const problem = checkFor(spec.kind)(value)
  if (problem !== null) throw fail(name, `expected ${problem}`)
  return value
}

export function settingsTable (specs: readonly SettingSpec[]): string {
  const rows = specs.map(s => {
    const def = s.default === null ? '*(required)*' : s.default === '' ? '*(empty)*' : `\`${s.default}\``
    return `| \`${s.name}\` | ${def} | ${s.description} |`
  })
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n')
}
