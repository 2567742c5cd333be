/**
 * Sandbox mode: mounts each enabled provider's sandbox under /sandbox/<id> and the Twilio Verify
 * sandbox under /sandbox/twilio, so the broker runs end to end with no network. The sandboxes of
 * LINK_WINDOW_PROVIDERS refuse to be framed, as such a provider's real pages do.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Services } from '../services.js'
import { PROVIDER_MODULES } from '../../providers/index.js'
import { twilioSandbox } from '../sms/twilio-sandbox.js'

/** Like many banks' own pages: a provider listed in LINK_WINDOW_PROVIDERS must not be framed. */
function denyFraming (reply: FastifyReply): void {
  reply.header('x-frame-options', 'DENY')
  const csp = reply.getHeader('content-security-policy')
  if (csp === undefined) reply.header('content-security-policy', "frame-ancestors 'none'")
}

export async function sandboxRoutes (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { config, now } = opts.services
  for (const entry of opts.services.providers.sandboxed()) {
    const refusesFraming = config.linkWindowProviders.includes(entry.id)
    await app.register(async scope => {
      if (refusesFraming) scope.addHook('onSend', async (_req, reply) => { denyFraming(reply) })
      await scope.register(PROVIDER_MODULES[entry.id].sandbox.plugin, {
        seed: config.sandboxSeed,
        baseUrl: entry.baseUrl,
        now,
        webhookUrl: `${config.publicUrl}/webhooks/${entry.id}`
      })
    }, { prefix: `/sandbox/${entry.id}` })
  }
  await app.register(twilioSandbox, { prefix: '/sandbox/twilio', accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, serviceSid: config.twilio.serviceSid, now })
}
