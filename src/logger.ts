/** pino options shared by the server and tests: request ids, and redaction of every secret. */
import type { LoggerOptions } from 'pino'

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

/** A URL safe to log: no query string (provider codes, tokens) and no link-session id (a bearer capability). */
export function logUrl (url: string): string {
  return (url.split('?')[0] as string).replace(/^\/link\/s\/[^/]+/, '/link/s/[session]')
}
