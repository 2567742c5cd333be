/** pino options shared by the server and tests: request ids, and redaction of every secret. */
import pino, { type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger, type LoggerOptions } from 'pino'

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["odoofin-signature"]',
  'req.headers["odoofin-access-token"]',
  '*.refresh_token', '*.access_token', '*.exchange_token', '*.secret', '*.password',
  '*.phone', '*.phone_number', '*.code', '*.otp', '*.iban', '*.account_number', '*.token'
]

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string, url: string, id: string }) => ({ method: req.method, url: logUrl(req.url), id: req.id })
    }
  }
}

/** Lines wait in memory until this many bytes are there, or LOG_FLUSH_MS has passed. */
const LOG_BUFFER_BYTES = 8_192
const LOG_FLUSH_MS = 250

/**
 * Standard output, buffered: lines go out in writes of ~8 KB (one system call for ~30 access lines
 * instead of one each), and at least every 250 ms when traffic is light. The write itself is
 * synchronous, as pino's default: an asynchronous one hands each write to a libuv worker thread, and
 * on a busy core waking that thread costs more than the write (bench/gate, profiled). pino writes what
 * is still buffered when the process exits (a SIGKILL loses at most that buffer).
 */
export function logDestination (): DestinationStream {
  return pino.destination({ dest: 1, sync: true, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS })
}

/** A URL safe to log: no query string (provider codes, tokens) and no link-session id (a bearer capability). */
export function logUrl (url: string): string {
  return (url.split('?')[0] as string).replace(/^\/link\/s\/[^/]+/, '/link/s/[session]')
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
const REAL = Symbol('realChild')
const MAKE = Symbol('makeChild')
interface Lazy { [REAL]?: Logger, [MAKE]: () => Logger }
const prototypes = new WeakMap<Logger, object>()

function realChild (lazy: Lazy): Logger {
  return (lazy[REAL] ??= lazy[MAKE]())
}

/** Everything a pino logger has (through `parent`), with the methods that log going to the real child. */
function prototypeFor (parent: Logger): object {
  let proto = prototypes.get(parent)
  if (proto === undefined) {
    const p = Object.create(parent) as Record<string, unknown>
    for (const level of LEVELS) p[level] = function (this: Lazy, ...args: unknown[]) { return (realChild(this)[level] as (...a: unknown[]) => unknown)(...args) }
    p.child = function (this: Lazy, bindings: Bindings, options?: ChildLoggerOptions) { return realChild(this).child(bindings, options) }
    p.bindings = function (this: Lazy) { return realChild(this).bindings() }
    p.setBindings = function (this: Lazy, bindings: Bindings) { realChild(this).setBindings(bindings) }
    p.isLevelEnabled = function (this: Lazy, level: string) { return realChild(this).isLevelEnabled(level) }
    prototypes.set(parent, proto = p)
  }
  return proto
}

/**
 * Fastify gives every request a child logger bound to its id, and pino builds it at once (its binding
 * serialised through the redaction), though a request that goes well never logs through it: its one
 * access line is written elsewhere (src/plugins/access-log.ts). This child is built on first use.
 */
export function lazyChildLogger (parent: Logger, bindings: Bindings, options: ChildLoggerOptions): Logger {
  const lazy = Object.create(prototypeFor(parent)) as Lazy
  lazy[MAKE] = () => parent.child(bindings, options)
  return lazy as unknown as Logger
}
