/**
 * What every answer must look like, whatever was sent: never a 5xx except a 503 with a reference,
 * a reference on every error (Odoo envelope `error.data.error_reference` on /proxy, problem+json
 * `reference` elsewhere, both equal to `x-error-reference`), JSON content types, no internal error
 * and no stack trace or file path. `violations` lists what is wrong (empty when the answer is fine).
 */
export interface Answer { statusCode: number, headers: Record<string, unknown>, body: string }

const REFERENCE = /^ref_[a-z0-9]{20}$/
const LEAK = /\n\s+at [\w.<>[\] ]+ \(|\bat (?:async )?[\w.]+ \(\/|\/(?:work|home|root|usr|opt|srv|app)\/[\w.-]+\/|node_modules|\b[\w-]+\.(?:ts|js|mjs|cjs):\d+/

function contentType (a: Answer): string {
  return String(a.headers['content-type'] ?? '')
}

function parse (body: string): unknown {
  try { return JSON.parse(body) } catch { return undefined }
}

function envelopeViolations (a: Answer): string[] {
  const out: string[] = []
  if (a.statusCode !== 200) out.push(`/proxy answered HTTP ${a.statusCode} instead of 200`)
  if (!/^application\/json/.test(contentType(a))) out.push(`/proxy content-type ${contentType(a)}`)
  const body = parse(a.body) as { jsonrpc?: unknown, result?: unknown, error?: { code?: unknown, message?: unknown, data?: { message?: unknown, error_reference?: unknown, exception_type?: unknown } } } | undefined
  if (body === undefined || body === null || typeof body !== 'object') return [...out, 'body is not JSON']
  if (body.jsonrpc !== '2.0') out.push('no jsonrpc 2.0')
  if ((body.result === undefined) === (body.error === undefined)) out.push('needs exactly one of result and error')
  if (body.error !== undefined) {
    const e = body.error
    if (!Number.isInteger(e.code) || typeof e.message !== 'string' || typeof e.data?.message !== 'string') out.push('malformed error')
    if (typeof e.data?.error_reference !== 'string' || !REFERENCE.test(e.data.error_reference)) out.push('error without reference')
    else if (a.headers['x-error-reference'] !== e.data.error_reference) out.push('x-error-reference differs from the body')
    if (e.data?.exception_type === 'BSB_INTERNAL' || e.code === 500) out.push(`internal error: ${e.message as string}`)
  }
  return out
}

function problemViolations (a: Answer): string[] {
  const out: string[] = []
  if (!/^application\/problem\+json/.test(contentType(a))) out.push(`error content-type ${contentType(a)}`)
  const body = parse(a.body) as { status?: unknown, code?: unknown, reference?: unknown } | undefined
  if (body === undefined || body === null || typeof body !== 'object') return [...out, 'problem body is not JSON']
  if (typeof body.reference !== 'string' || !REFERENCE.test(body.reference)) out.push('problem without reference')
  else if (a.headers['x-error-reference'] !== body.reference) out.push('x-error-reference differs from the body')
  if (body.status !== a.statusCode) out.push(`problem status ${String(body.status)} vs HTTP ${a.statusCode}`)
  if (body.code === 'BSB_INTERNAL') out.push('internal error')
  return out
}

/** The path the server sees: the injector resolves dot segments (`/proxy/../admin/x` is `/admin/x`). */
function servedPath (url: string): string {
  try {
    return new URL(url, 'http://localhost').pathname
  } catch {
    return url.split('?')[0] as string
  }
}

/** The checks for an answer to `url` (the surface is decided by the URL the server saw, like the error handler). */
export function violations (url: string, a: Answer): string[] {
  const out: string[] = []
  if (a.statusCode >= 500 && a.statusCode !== 503) out.push(`HTTP ${a.statusCode}`)
  if (LEAK.test(a.body)) out.push(`stack trace or file path in the body: ${LEAK.exec(a.body)?.[0] ?? ''}`)
  const path = servedPath(url)
  if (path.startsWith('/proxy/')) {
    if (path === '/proxy/v1/odoofin_link' && a.statusCode === 200 && /javascript/.test(contentType(a))) return out
    if (path === '/proxy/v2/get_dashboard_institutions' && a.statusCode === 200 && Array.isArray(parse(a.body))) return out
    return [...out, ...envelopeViolations(a)]
  }
  if (path === '/metrics' && a.statusCode === 200) return /^text\/plain/.test(contentType(a)) ? out : [...out, `metrics content-type ${contentType(a)}`]
  if ((path === '/health' || path === '/ready') && (a.statusCode === 200 || (path === '/ready' && a.statusCode === 503))) {
    return /^application\/json/.test(contentType(a)) ? out : [...out, `${path} content-type ${contentType(a)}`]
  }
  if (a.statusCode >= 200 && a.statusCode < 300) return /^application\/json/.test(contentType(a)) ? out : [...out, `2xx content-type ${contentType(a)}`]
  return [...out, ...problemViolations(a)]
}

/** Records uncaught exceptions and unhandled rejections while a test runs. */
export function watchProcess (t: { teardown: (fn: () => void) => void }): string[] {
  const seen: string[] = []
  const onError = (err: unknown): void => { seen.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err)) }
  process.on('uncaughtException', onError)
  process.on('unhandledRejection', onError)
  t.teardown(() => {
    process.off('uncaughtException', onError)
    process.off('unhandledRejection', onError)
  })
  return seen
}
