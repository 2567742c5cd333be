/**
 * FastLink 4 launch and return. FastLink is opened with `accessToken=Bearer <user token>` and
 * `extraParams` (`configName`, deep-link `flow=add&providerId` or `flow=edit&providerAccountId`,
 * `callback`); at the end of the flow it sends the browser to `callback` with what its onSuccess /
 * onExit messages carry (`status`, `providerAccountId`, `providerId`, `requestId`, `action=exit`, …).
 * @see https://developer.envestnet.com/resources/yodlee/fastlink-4/docs/advanced
 */
import { ProviderError } from '../errors.js'
import { stateOfAdditionalStatus } from './errors.js'

export interface FastLinkLaunch {
  fastlinkUrl: string
  accessToken: string
  configName: string
  flow: 'add' | 'edit'
  providerId?: string
  providerAccountId?: string
  /** Where FastLink sends the browser at the end (our redirect URI carrying `state`). */
  callback: string
}

export function fastlinkExtraParams (l: FastLinkLaunch): string {
  const p = new URLSearchParams({ configName: l.configName, flow: l.flow })
  if (l.providerId !== undefined) p.set('providerId', l.providerId)
  if (l.providerAccountId !== undefined) p.set('providerAccountId', l.providerAccountId)
  p.set('callback', l.callback)
  return p.toString()
}

/**
 * FastLink is launched by a form POST of `accessToken` and `extraParams`; the contract only carries a
 * URL, so the same two fields travel in the query (the user token is scoped to this link's own
 * loginName and lives 30 minutes).
 */
export function fastlinkLaunchUrl (l: FastLinkLaunch): string {
  const url = new URL(l.fastlinkUrl)
  url.searchParams.set('accessToken', `Bearer ${l.accessToken}`)
  url.searchParams.set('extraParams', fastlinkExtraParams(l))
  return url.toString()
}

export function callbackWithState (redirectUri: string, state: string): string {
  const url = new URL(redirectUri)
  url.searchParams.set('state', state)
  return url.toString()
}

export interface FastLinkResult {
  providerAccountId: string
  providerId: string | null
  requestId: string | null
}

function fail (kind: ProviderError['kind'], code: string, message: string): ProviderError {
  return new ProviderError({ provider: 'yodlee', kind, message, providerCode: code })
}

/** Reads what FastLink appended to the callback; throws when the user left or linking failed. */
export function parseFastLinkCallback (cb: Record<string, string>): FastLinkResult {
  const status = cb.status ?? ''
  if (cb.action === 'exit' || status === 'USER_CLOSE_ACTION') {
    throw fail('reauth_required', 'USER_CLOSE_ACTION', 'the user closed FastLink without linking an account')
  }
  if (status === 'FAILED') {
    const additional = cb.additionalStatus ?? cb.reason ?? 'FAILED'
    const state = stateOfAdditionalStatus(cb.additionalStatus)
    const kind = state === 'provider_down' ? 'provider_down' : 'reauth_required'
    throw fail(kind, additional, `FastLink reported a failed link (${additional})`)
  }
  if (status !== 'SUCCESS' && status !== 'PARTIAL_SUCCESS') {
    throw fail('invalid_request', 'fastlink_callback', `unexpected FastLink callback status "${status.slice(0, 40)}"`)
  }
  const providerAccountId = cb.providerAccountId ?? ''
  if (!/^\d{1,19}$/.test(providerAccountId)) {
    throw fail('invalid_request', 'fastlink_callback', 'FastLink callback without a valid providerAccountId')
  }
  const providerId = cb.providerId !== undefined && /^\d{1,19}$/.test(cb.providerId) ? cb.providerId : null
  return { providerAccountId, providerId, requestId: cb.requestId ?? null }
}
