/**
 * D1's writers. Each owns one database and its clients and loops over the broker's real write
 * paths: a new client (`exchange_token`), a token rotation (`renew_token`, then
 * `get_access_token`) and a lock (`POST /admin/clients/:id/lock`). Every answer is kept with its
 * timing; only a success moves the tracked credentials or lock, so the tracked state is exactly
 * what the broker acknowledged.
 */
import type { Broker } from './broker.js'
import { adminAnswer, proxyAnswer, type Answer } from './answers.js'
import { signedCall, unsignedCall } from '../helpers/odoo-client.js'
import type { LinkData } from '../../src/link/store.js'

export type WriteKind = 'registration' | 'refresh_rotation' | 'access_token' | 'lock'

export interface TrackedClient {
  db: string
  clientId: string
  /** The latest acknowledged refresh and access tokens. */
  refreshToken: string
  accessToken: string
  /** An acknowledged lock. */
  locked: boolean
}

export interface WriteAnswer extends Answer {
  kind: WriteKind
  /** The client written to (null for a registration, whose client is unknown until it succeeds). */
  client: TrackedClient | null
}

export interface WriterOptions {
  writers: number
  random: () => number
  adminToken: string
  /** Link data every new client gets (one sandbox consent shared by all). */
  link: LinkData
  /** Exchange tokens minted beforehand per writer, so registrations are also tried while Redis is down. */
  tokenPools: string[][]
}

export interface WriteRun {
  clients: TrackedClient[]
  answers: WriteAnswer[]
  /** Stops the loops and waits for their last requests. */
  stop: () => Promise<void>
}

export const writerDb = (i: number): string => `db-durable-${String(i).padStart(4, '0')}`

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

export function startWriters (b: Broker, o: WriterOptions): WriteRun {
  const app = b.h.app
  const clients: TrackedClient[] = []
  const answers: WriteAnswer[] = []
  let stopped = false

  async function register (i: number, mine: TrackedClient[]): Promise<boolean> {
    const db = writerDb(i)
    const token = o.tokenPools[i]?.pop() ?? await app.services.exchangeTokens.mint({ dbUuid: db, link: o.link }).catch(() => null)
    if (token === null) return false
    const startedAt = Date.now()
    const body = await unsignedCall(app, '/proxy/v1/exchange_token', { exchange_token: token, company_id: 1, user_id: 2 }, { dbUuid: db })
    const a = proxyAnswer(body, startedAt)
    answers.push({ ...a, kind: 'registration', client: null })
    if (!a.ok) return false
    const c = { db, clientId: body.result.client_id, refreshToken: body.result.refresh_token, accessToken: body.result.access_token, locked: false }
    mine.push(c)
    clients.push(c)
    return true
  }

  async function rotate (c: TrackedClient): Promise<boolean> {
    let startedAt = Date.now()
    const renewed = (await signedCall(app, '/proxy/v1/renew_token', c, {}, { dbUuid: c.db })).body
    const r = proxyAnswer(renewed, startedAt)
    answers.push({ ...r, kind: 'refresh_rotation', client: c })
    if (!r.ok) return false
    c.refreshToken = renewed.result.refresh_token
    startedAt = Date.now()
    const issued = (await signedCall(app, '/proxy/v1/get_access_token', c, {}, { dbUuid: c.db })).body
    const a = proxyAnswer(issued, startedAt)
    answers.push({ ...a, kind: 'access_token', client: c })
    if (!a.ok) return false
    c.accessToken = issued.result.access_token
    return true
  }

  async function lock (c: TrackedClient): Promise<boolean> {
    const startedAt = Date.now()
    const res = await app.inject({
      method: 'POST',
      url: `/admin/clients/${c.clientId}/lock`,
      headers: { authorization: `Bearer ${o.adminToken}` },
      payload: { reason: 'durability test' }
    })
    const body = res.json()
    const a = adminAnswer(res.statusCode, body, startedAt)
    const acknowledged = a.ok && body.locked === true
    answers.push({ ...a, ok: acknowledged, kind: 'lock', client: c })
    if (acknowledged) c.locked = true
    return acknowledged
  }

  async function writer (i: number): Promise<void> {
    const mine: TrackedClient[] = []
    while (!stopped) {
      const open = mine.filter(c => !c.locked)
      const r = o.random()
      const pick = (): TrackedClient => open[Math.floor(o.random() * open.length)] as TrackedClient
      const ok = open.length < 2 || r < 0.25 ? await register(i, mine) : r < 0.85 ? await rotate(pick()) : await lock(pick())
      // Refusals come back at once while Redis is down: pause so the loop does not spin.
      if (!ok) await sleep(10)
    }
  }

  const loops = Array.from({ length: o.writers }, async (_, i) => await writer(i))
  return {
    clients,
    answers,
    stop: async () => {
      stopped = true
      await Promise.all(loops)
    }
  }
}

/** Acknowledged writes by kind. */
export function acknowledged (answers: WriteAnswer[]): Record<WriteKind, number> {
  const out: Record<WriteKind, number> = { registration: 0, refresh_rotation: 0, access_token: 0, lock: 0 }
  for (const a of answers) if (a.ok) out[a.kind]++
  return out
}
