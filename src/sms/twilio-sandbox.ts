/**
 * Local Twilio Verify v2 sandbox, speaking the real wire format (form-encoded requests, Twilio's
 * JSON resources and error bodies). The broker's SMS port talks to it through the official SDK.
 *
 * Only mounted in sandbox mode (`npm start`, tests): `GET /outbox` hands out the codes it "sent",
 * which is the point of a sandbox and must never exist in production.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'

export interface TwilioSandboxOptions {
  accountSid: string
  authToken: string
  /** When set, any other Verify Service SID answers 404 like a deleted service. */
  serviceSid?: string
  /** Sandbox clock (ms since epoch). */
  now?: () => number
  /** How many sent codes the outbox keeps (oldest dropped first). */
  outboxSize?: number
}

export interface OutboxEntry { to: string, channel: string, code: string, time: string }

interface Verification {
  sid: string
  serviceSid: string
  to: string
  channel: string
  code: string
  status: 'pending' | 'approved' | 'canceled' | 'max_attempts_reached'
  checks: number
  created: number
  updated: number
  attempts: Array<{ attempt_sid: string, channel: string, time: string }>
}

const TTL_MS = 10 * 60_000
const MAX_SENDS = 5
const MAX_CHECKS = 5
const MAX_VERIFICATIONS = 10_000
const E164 = /^\+[1-9]\d{1,14}$/
const CHANNELS = new Set(['sms', 'call', 'whatsapp'])
const API = 'https://verify.twilio.com/v2'

const sid = (prefix: string): string => prefix + randomBytes(16).toString('hex')
// Twilio dates carry no milliseconds ("2015-07-30T20:00:00Z").
const twilioDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

type Body = Record<string, string | string[] | undefined>
function field (req: FastifyRequest, name: string): string | undefined {
  const v = ((req.body ?? {}) as Body)[name]
  return Array.isArray(v) ? v[v.length - 1] : v
}

function twilioError (reply: FastifyReply, status: number, code: number, message: string): FastifyReply {
  return reply.code(status).send({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status })
}

export const twilioSandbox: FastifyPluginAsync<TwilioSandboxOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now
  const outboxSize = opts.outboxSize ?? 1000
  const expected = digest(`${opts.accountSid}:${opts.authToken}`)
  const verifications = new Map<string, Verification>()
  const active = new Map<string, string>() // `${serviceSid} ${to}` → verification sid
  const sends = new Map<string, number[]>() // `${serviceSid} ${to}` → send times in the window
  const outbox: OutboxEntry[] = []

  const live = (v: Verification | undefined): v is Verification => v !== undefined && now() - v.created < TTL_MS
  function prune (): void {
    for (const [id, v] of verifications) {
      if (live(v) && verifications.size <= MAX_VERIFICATIONS) continue
      verifications.delete(id)
      if (active.get(`${v.serviceSid} ${v.to}`) === id) active.delete(`${v.serviceSid} ${v.to}`)
    }
    for (const [key, times] of sends) if (times.every(t => now() - t >= TTL_MS)) sends.delete(key)
  }
  function forget (v: Verification): void {
    verifications.delete(v.sid)
    if (active.get(`${v.serviceSid} ${v.to}`) === v.sid) active.delete(`${v.serviceSid} ${v.to}`)
  }
  const resource = (v: Verification): Record<string, unknown> => ({
    sid: v.sid, service_sid: v.serviceSid, account_sid: opts.accountSid, to: v.to, channel: v.channel,
    status: v.status, valid: v.status === 'approved', lookup: {}, amount: null, payee: null,
    send_code_attempts: v.attempts, date_created: twilioDate(v.created), date_updated: twilioDate(v.updated),
    sna: null, url: `${API}/Services/${v.serviceSid}/Verifications/${v.sid}`
  })
  const checkResource = (v: Verification): Record<string, unknown> => ({
    sid: v.sid, service_sid: v.serviceSid, account_sid: opts.accountSid, to: v.to, channel: v.channel,
    status: v.status, valid: v.status === 'approved', amount: null, payee: null, sna_attempts_error_codes: [],
    date_created: twilioDate(v.created), date_updated: twilioDate(v.updated)
  })

  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 },
      (_req, body, done) => { done(null, Object.fromEntries(new URLSearchParams(body as string))) })
  }

  app.get<{ Querystring: { to?: string } }>('/outbox', async (req) =>
    req.query.to === undefined ? outbox : outbox.filter(e => e.to === req.query.to))

  await app.register(async (api) => {
    api.addHook('onRequest', async (req, reply) => {
      const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '')
      const given = digest(m === null ? '' : Buffer.from(m[1], 'base64').toString('utf8'))
      if (m !== null && timingSafeEqual(given, expected)) return
      reply.header('www-authenticate', 'Basic realm="Twilio API"')
      return twilioError(reply, 401, 20003, 'Authenticate')
    })
    api.addHook('preHandler', async (req, reply) => {
      const service = (req.params as { service?: string }).service
      if (service !== undefined && opts.serviceSid !== undefined && service !== opts.serviceSid) {
        return twilioError(reply, 404, 20404, `The requested resource /Services/${service} was not found`)
      }
    })
    api.setNotFoundHandler((req, reply) =>
      twilioError(reply, 404, 20404, `The requested resource ${req.url.replace(/^.*\/v2/, '')} was not found`))

    api.post<{ Params: { service: string } }>('/Services/:service/Verifications', async (req, reply) => {
      const { service } = req.params
      const to = field(req, 'To')
      const channel = field(req, 'Channel')
      if (to === undefined || !E164.test(to)) return twilioError(reply, 400, 60200, `Invalid parameter \`To\`: ${to ?? ''}`)
      if (channel === undefined || !CHANNELS.has(channel)) return twilioError(reply, 400, 60200, 'Invalid parameter: Channel')
      prune()
      const key = `${service} ${to}`
      const window = (sends.get(key) ?? []).filter(t => now() - t < TTL_MS)
      const current = verifications.get(active.get(key) ?? '')
      // A verification locked by failed checks cannot be replaced until it expires.
      if (window.length >= MAX_SENDS || (live(current) && current.status === 'max_attempts_reached')) {
        return twilioError(reply, 429, 60203, 'Max send attempts reached')
      }
      let v = live(current) && current.status === 'pending' ? current : undefined
      if (v === undefined) {
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
        v = { sid: sid('VE'), serviceSid: service, to, channel, code, status: 'pending', checks: 0, created: now(), updated: now(), attempts: [] }
        verifications.set(v.sid, v)
        active.set(key, v.sid)
      }
      v.channel = channel
      v.updated = now()
      v.attempts.push({ attempt_sid: sid('VL'), channel, time: new Date(now()).toISOString() })
      window.push(now())
      sends.set(key, window)
      outbox.push({ to, channel, code: v.code, time: new Date(now()).toISOString() })
      if (outbox.length > outboxSize) outbox.splice(0, outbox.length - outboxSize)
      return reply.code(201).send(resource(v))
    })

    api.post<{ Params: { service: string } }>('/Services/:service/VerificationCheck', async (req, reply) => {
      const { service } = req.params
      const to = field(req, 'To')
      const verificationSid = field(req, 'VerificationSid')
      const code = field(req, 'Code')
      if (to === undefined && verificationSid === undefined) {
        return twilioError(reply, 400, 60200, 'Invalid parameter: Either a \'To\' or a \'VerificationSid\' must be specified')
      }
      if (code === undefined || code === '') return twilioError(reply, 400, 60200, 'Invalid parameter: Code')
      const v = verifications.get(verificationSid ?? active.get(`${service} ${to ?? ''}`) ?? '')
      // Twilio deletes approved and expired verifications: checking them is a plain 404.
      if (!live(v) || v.serviceSid !== service || (to !== undefined && v.to !== to) || v.status === 'approved' || v.status === 'canceled') {
        return twilioError(reply, 404, 20404, `The requested resource /Services/${service}/VerificationCheck was not found`)
      }
      if (v.status === 'max_attempts_reached') return twilioError(reply, 429, 60202, 'Max check attempts reached')
      v.checks++
      v.updated = now()
      const a = digest(code)
      if (timingSafeEqual(a, digest(v.code))) v.status = 'approved'
      else if (v.checks >= MAX_CHECKS) v.status = 'max_attempts_reached'
      const body = checkResource(v)
      // The resource still reports `pending` on the attempt that exhausts the checks, like Twilio.
      if (v.status === 'max_attempts_reached') body.status = 'pending'
      if (v.status === 'approved') forget(v)
      return reply.send(body)
    })

    const lookup = (req: FastifyRequest<{ Params: { service: string, sid: string } }>, reply: FastifyReply): Verification | undefined => {
      const v = verifications.get(req.params.sid)
      if (live(v) && v.serviceSid === req.params.service && v.status !== 'approved') return v
      twilioError(reply, 404, 20404, `The requested resource /Services/${req.params.service}/Verifications/${req.params.sid} was not found`)
      return undefined
    }
    api.get<{ Params: { service: string, sid: string } }>('/Services/:service/Verifications/:sid', async (req, reply) => {
      const v = lookup(req, reply)
      return v === undefined ? reply : reply.send(resource(v))
    })
    api.post<{ Params: { service: string, sid: string } }>('/Services/:service/Verifications/:sid', async (req, reply) => {
      const v = lookup(req, reply)
      if (v === undefined) return reply
      if (field(req, 'Status') !== 'canceled') return twilioError(reply, 400, 60200, 'Invalid parameter: Status')
      if (v.status !== 'canceled') { v.status = 'canceled'; v.updated = now() }
      if (active.get(`${v.serviceSid} ${v.to}`) === v.sid) active.delete(`${v.serviceSid} ${v.to}`)
      return reply.send(resource(v))
    })
  }, { prefix: '/v2' })
}
