/**
 * Signed Odoo calls over real loopback HTTP, a fixed number in flight, round-robin over clients,
 * each with a client-side deadline so a hung request is seen as one (not waited for forever).
 */
import { Pool } from 'undici'
import type { Broker } from './broker.js'
import type { TrackedClient } from './writers.js'
import { proxyAnswer, type Answer } from './answers.js'
import { signedRequest } from './signed-http.js'

export interface LoadAnswer extends Answer {
  /** The `x-error-reference` header (must equal the body's reference). */
  headerReference: string | null
  /** No HTTP answer: the client deadline passed or the connection failed. */
  transportError: string | null
}

export interface Load {
  answers: LoadAnswer[]
  stop: () => Promise<void>
}

export function startLoad (b: Broker, clients: TrackedClient[], o: { path: string, inFlight: number, deadlineMs: number }): Load {
  const pool = new Pool(b.baseUrl, { connections: o.inFlight })
  const answers: LoadAnswer[] = []
  let stopped = false
  let next = 0

  async function once (): Promise<void> {
    const c = clients[next++ % clients.length] as TrackedClient
    const { headers, body } = signedRequest(o.path, c, { linked_accounts: [] }, c.db)
    const startedAt = Date.now()
    try {
      const res = await pool.request({ method: 'POST', path: o.path, headers, body, headersTimeout: o.deadlineMs, bodyTimeout: o.deadlineMs })
      const header = res.headers['x-error-reference']
      answers.push({ ...proxyAnswer(await res.body.json() as object, startedAt), headerReference: typeof header === 'string' ? header : null, transportError: null })
    } catch (err) {
      const e = err as { code?: string, message?: string }
      answers.push({ ok: false, code: null, odooCode: null, reference: null, startedAt, endedAt: Date.now(), headerReference: null, transportError: e.code ?? e.message ?? 'error' })
    }
  }

  const workers = Array.from({ length: o.inFlight }, async () => { while (!stopped) await once() })
  return {
    answers,
    stop: async () => {
      stopped = true
      await Promise.all(workers)
      await pool.close()
    }
  }
}
