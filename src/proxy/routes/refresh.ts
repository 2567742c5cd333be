/**
 * `/proxy/v1/refresh`: the user clicked "Fetch Transactions". Asks the provider for fresh data
 * when the bank allows it: `currently_fetching` while the provider works, `success: false` with a
 * message when a once-a-day bank was already refreshed, an error asking to turn off automatic
 * sync for a manual-only bank called by cron, and the updateCredentials redirect when the
 * provider needs the user again.
 */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Services } from '../../services.js'
import { AppError } from '../../errors.js'
import { envelope, proxyBody, SIGNED_HEADERS } from '../../schemas/proxy.js'
import { resultEnvelope } from '../../protocol/envelope.js'
import { linkContext, storedAccount, type LinkContext } from '../link-context.js'
import { ProviderError } from '../../../providers/errors.js'
import { saveRotatedSecrets } from '../../link/store.js'
import { createLedger } from '../../ledger/store.js'
import { syncAccount } from '../../ledger/sync.js'
import { randomToken } from '../../crypto/tokens.js'

const PRESENT_GRANT_MS = 15 * 60_000
/** Clicks on "Sync now" within this time of a refresh in progress are told it is still fetching. */
const REFRESH_GUARD_MS = 60_000

function when (ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'
}

/** How each Odoo generation expects "the provider needs the user again" (odoo-protocol.md §6, §8.3). */
function reauth (ctx: LinkContext): unknown {
  if (ctx.major >= 18) return resultEnvelope({ success: false, code: 300, data: { mode: 'updateCredentials' } })
  if (ctx.major === 17) throw new AppError('BSB_REAUTH_REQUIRED', { mode: 'updateCredentials', provider: ctx.link.provider })
  return resultEnvelope({ success: false, code: 300, data: { mode: 'updateCredentials' } })
}

export async function refreshRoute (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services
  app.post('/proxy/v1/refresh', {
    schema: {
      summary: 'Ask the bank for fresh data for one account (user-initiated).',
      tags: ['odoo'],
      operationId: 'refresh',
      headers: SIGNED_HEADERS,
      body: proxyBody({ account_id: Type.Unknown(), fetching_status: Type.Optional(Type.Unknown()), next_data: Type.Optional(Type.Unknown()), provider_data: Type.Optional(Type.Unknown()), account_data: Type.Optional(Type.Unknown()) }),
      response: { 200: envelope(Type.Object({ success: Type.Boolean(), currently_fetching: Type.Optional(Type.Boolean()), display_message: Type.Optional(Type.String()), code: Type.Optional(Type.Integer()), data: Type.Optional(Type.Object({ mode: Type.String() })), next_data: Type.Optional(Type.Null()) })) }
    }
  }, async (req) => {
    const ctx = await linkContext(s, req)
    const account = await storedAccount(s, ctx, (req.body as { account_id?: unknown }).account_id)
    const provider = ctx.link.provider as string
    const userPresent = !ctx.utils.cron
    if (!userPresent && ctx.link.institution?.refreshPolicy === 'manual_only') {
      throw new AppError('BSB_MANUAL_SYNC_ONLY', { detail: 'refresh by cron on a manual-only institution', provider })
    }
    if (ctx.link.institution?.refreshPolicy === 'once_per_day') {
      const daily = await s.quotas.dailyRefresh(provider, account.id)
      if (!daily.allowed) {
        return resultEnvelope({ success: false, currently_fetching: false, display_message: `Your bank allows one refresh per day. The next refresh is possible after ${when(daily.retryAt)}.`, next_data: null })
      }
    }
    const ledger = createLedger(s, ctx.dbUuid, ctx.clientId, account.id)
    await ledger.saveMeta({ present_until: String(s.now() + PRESENT_GRANT_MS) })
    const guard = s.keys.refreshGuard(ctx.dbUuid, ctx.clientId, account.id)
    const owner = randomToken(16)
    if (!await takeGuard(s, guard, owner)) {
      return resultEnvelope({ success: true, currently_fetching: true, next_data: null })
    }
    const entry = s.providers.get(provider)!
    let providerWorking = false
    try {
      const res = await entry.adapter.refresh(ctx.link.connection!, { userPresent, psu: ctx.utils.psu, account })
      const link = await saveRotatedSecrets(s, ctx.dbUuid, ctx.clientId, ctx.link, res.secrets)
      if (res.status === 'started') {
        providerWorking = true
        return resultEnvelope({ success: true, currently_fetching: true, next_data: null })
      }
      await syncAccount(s, { dbUuid: ctx.dbUuid, clientId: ctx.clientId, link, account, userPresent, psu: ctx.utils.psu, force: true })
      return resultEnvelope({ success: true, currently_fetching: false, next_data: null })
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err
      if (err.kind === 'reauth_required') return reauth(ctx)
      if (err.kind === 'not_ready') return resultEnvelope({ success: true, currently_fetching: true, next_data: null })
      if (err.kind === 'rate_limited') {
        const at = err.nextAllowedAt !== null ? Date.parse(err.nextAllowedAt) : err.retryAfterSeconds !== null ? s.now() + err.retryAfterSeconds * 1000 : null
        if (err.retryAfterSeconds !== null) await s.quotas.coolDown(`${provider}:${ctx.clientId}`, err.retryAfterSeconds)
        return resultEnvelope({ success: false, currently_fetching: false, display_message: at !== null && !Number.isNaN(at) ? `Your bank limits how often it can be refreshed. The next refresh is possible after ${when(at)}.` : 'Your bank limits how often it can be refreshed. Please try again later.', next_data: null })
      }
      throw err
    } finally {
      // While the provider works on its own the guard runs out by itself; otherwise the next click may ask again.
      if (!providerWorking) await releaseGuard(s, guard, owner)
    }
  })
}

/** Expiry on the app clock (as the quotas), so a test or a skewed instance sees the same window. */
const TAKE_GUARD = `
local v = redis.call('GET', KEYS[1])
if v and tonumber(string.match(v, ':(%d+)$')) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[3], 'PX', ARGV[4])
return 1
`
const RELEASE_GUARD = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. ':' then return redis.call('DEL', KEYS[1]) end
return 0
`

async function takeGuard (s: Services, key: string, owner: string): Promise<boolean> {
  const now = s.now()
  return await s.redis.eval(TAKE_GUARD, 1, key, owner, String(now), String(now + REFRESH_GUARD_MS), String(REFRESH_GUARD_MS)) === 1
}

async function releaseGuard (s: Services, key: string, owner: string): Promise<void> {
  await s.redis.eval(RELEASE_GUARD, 1, key, owner).catch(() => undefined)
}
