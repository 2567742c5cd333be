/**
 * The flaky bank's fixed schedule (kit `flakyOutcome`), counted per link: Yodlee's 503 body
 * `Y902 Oops some issue at our end`, a gateway 429 with `Retry-After: 1`, or a slow answer.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply } from 'fastify'
import { flakyOutcome } from '../../sandbox-kit/banks.js'
import { referenceCode, sendYodleeError } from './reply.js'
import type { LinkState, SandboxStore } from './store.js'

/** Returns true when it has answered for the route. */
export async function flakyGate (store: SandboxStore, link: LinkState, reply: FastifyReply, slowMs: number, now: () => number): Promise<boolean> {
  if (!link.provider.bank.flaky) return false
  const outcome = flakyOutcome(store.nextFlakyCall(link.id))
  if (outcome === 'unavailable') {
    sendYodleeError(reply, 503, 'Y902', 'Oops some issue at our end', now())
    return true
  }
  if (outcome === 'rate_limited') {
    // No Yodlee error code for throttling was found; the gateway answer carries only the message.
    reply.code(429).header('retry-after', '1').send({ errorMessage: 'Too Many Requests', referenceCode: referenceCode(now()) })
    return true
  }
  if (outcome === 'slow') await sleep(slowMs)
  return false
}
