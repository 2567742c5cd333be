/**
 * What a caller saw, with when it asked and when it was answered, so answers can be placed
 * before, during or after a Redis outage. Proxy answers are the Odoo envelope (HTTP 200);
 * admin answers are a status code and problem+json.
 */
export interface Answer {
  ok: boolean
  /** `exception_type` of a proxy error, `code` of an admin problem; null on success. */
  code: string | null
  /** Odoo error code (101, 503…) of a proxy error. */
  odooCode: number | null
  reference: string | null
  startedAt: number
  endedAt: number
}

interface ProxyBody { result?: unknown, error?: { code?: number, data?: { exception_type?: string, error_reference?: string } } }

export function proxyAnswer (body: ProxyBody, startedAt: number): Answer {
  const ok = body.result !== undefined && body.error === undefined
  return {
    ok,
    code: ok ? null : body.error?.data?.exception_type ?? 'UNKNOWN',
    odooCode: ok ? null : body.error?.code ?? null,
    reference: body.error?.data?.error_reference ?? null,
    startedAt,
    endedAt: Date.now()
  }
}

export function adminAnswer (statusCode: number, body: { code?: string, reference?: string }, startedAt: number): Answer {
  const ok = statusCode >= 200 && statusCode < 300
  return { ok, code: ok ? null : body.code ?? `HTTP_${statusCode}`, odooCode: null, reference: body.reference ?? null, startedAt, endedAt: Date.now() }
}

/** When Redis was killed and came back (ms since epoch). */
export interface OutageWindow {
  /** SIGKILL sent. */
  killAt: number
  /** The process is gone: from here on nothing can be written. */
  downFrom: number
  /** The restart begins: up to here nothing could be written. */
  downUntil: number
  /** Redis answers again. */
  upAt: number
}

/** SIGKILLs a private Redis, keeps it down `downMs`, starts it again on the same directory. */
export async function killRedisFor (redis: { stop: () => Promise<void>, start: () => Promise<void> }, downMs: number): Promise<OutageWindow> {
  const killAt = Date.now()
  await redis.stop()
  const downFrom = Date.now()
  await new Promise(resolve => setTimeout(resolve, downMs))
  const downUntil = Date.now()
  await redis.start()
  return { killAt, downFrom, downUntil, upAt: Date.now() }
}

/** Asked after Redis was gone and answered before it was started again. */
export const duringOutage = (a: Answer, w: OutageWindow): boolean => a.startedAt >= w.downFrom && a.endedAt <= w.downUntil

/** Asked before the process was gone and answered after the kill: its write may or may not have landed. */
export const inFlightAtKill = (a: Answer, w: OutageWindow): boolean => a.startedAt < w.downFrom && a.endedAt >= w.killAt

export function tally (answers: Answer[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const a of answers) out[a.code ?? 'ok'] = (out[a.code ?? 'ok'] ?? 0) + 1
  return out
}

/** The p-th percentile (0–100) of answer times, in ms. */
export function percentileMs (answers: Answer[], p: number): number {
  const times = answers.map(a => a.endedAt - a.startedAt).sort((x, y) => x - y)
  if (times.length === 0) return 0
  return times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] as number
}
