/**
 * Sandbox mode: mounts each enabled provider's sandbox under /sandbox/<id> and the Twilio Verify
 * sandbox under /sandbox/twilio, so the broker runs end to end with no network.
 */
import type { FastifyInstance } from 'fastify'
import type { Services } from '../services.js'
import { PROVIDER_MODULES } from '../../providers/index.js'
import { twilioSandbox } from '../sms/twilio-sandbox.js'

export async function sandboxRoutes (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { config, now } = opts.services
  for (const entry of opts.services.providers.sandboxed()) {
    await app.register(PROVIDER_MODULES[entry.id].sandbox.plugin, {
      prefix: `/sandbox/${entry.id}`,
      seed: config.sandboxSeed,
      baseUrl: entry.baseUrl,
      now,
      webhookUrl: `${config.publicUrl}/webhooks/${entry.id}`
    })
  }
  await app.register(twilioSandbox, { prefix: '/sandbox/twilio', accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, serviceSid: config.twilio.serviceSid, now })
}
