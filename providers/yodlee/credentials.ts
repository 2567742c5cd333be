/**
 * Yodlee settings (client-credentials auth, API v1.1, FastLink 4) and the sandbox's test credentials.
 * @see https://developer.envestnet.com/resources/yodlee/fastlink-4/docs/documentation
 */
import type { ProviderSetting } from '../module.js'

export interface YodleeCredentials {
  clientId: string
  secret: string
  /** Admin login name: its token lists providers (institutions) without touching a user. */
  adminLoginName: string
  /** FastLink 4 URL; absolute, or relative to the API base URL (the sandbox's own FastLink). */
  fastlinkUrl: string
  /** FastLink `configName` published with Yodlee's FastLink Configuration Tool (mandatory in FL4). */
  fastlinkConfigName: string
}

export const YODLEE_SETTINGS: readonly ProviderSetting[] = [
  { name: 'YODLEE_CLIENT_ID', description: 'Yodlee API v1.1 client id (client-credentials auth) from the Yodlee developer dashboard.', secret: false },
  { name: 'YODLEE_SECRET', description: 'Yodlee API v1.1 client secret paired with YODLEE_CLIENT_ID.', secret: true },
  { name: 'YODLEE_ADMIN_LOGIN_NAME', description: 'Yodlee admin login name (dashboard, "Admin Login Name"); its admin token is used to list providers.', secret: false },
  { name: 'YODLEE_FASTLINK_URL', description: 'FastLink 4 launch URL from the dashboard (https://…/authenticate/…/fastlink).', secret: false },
  { name: 'YODLEE_FASTLINK_CONFIG_NAME', description: 'FastLink 4 configName of an Aggregation configuration published with the FastLink Configuration Tool.', secret: false }
]

/** Test-only credentials the sandbox accepts; never valid at Yodlee. */
export const SANDBOX_CREDENTIALS: Readonly<YodleeCredentials> = Object.freeze({
  clientId: 'sandbox-yodlee-client-id',
  secret: 'sandbox-yodlee-secret-not-for-production',
  adminLoginName: 'sandbox-yodlee-admin',
  fastlinkUrl: 'fastlink',
  fastlinkConfigName: 'BankSyncAggregation'
})

function required (values: Record<string, string | undefined>, name: string, what: string): string {
  const v = values[name]?.trim() ?? ''
  if (v === '') throw new Error(`${name}: ${what}`)
  return v
}

export function credentialsFromSettings (values: Record<string, string | undefined>): YodleeCredentials {
  const clientId = required(values, 'YODLEE_CLIENT_ID', 'the Yodlee client id is required')
  const secret = required(values, 'YODLEE_SECRET', 'the Yodlee client secret is required')
  const adminLoginName = required(values, 'YODLEE_ADMIN_LOGIN_NAME', 'the Yodlee admin login name is required')
  if (adminLoginName.length < 3 || adminLoginName.length > 150) {
    throw new Error('YODLEE_ADMIN_LOGIN_NAME: expected 3 to 150 characters')
  }
  const fastlinkUrl = required(values, 'YODLEE_FASTLINK_URL', 'the FastLink 4 URL is required')
  let parsed: URL
  try {
    parsed = new URL(fastlinkUrl)
  } catch {
    throw new Error('YODLEE_FASTLINK_URL: expected an absolute https URL')
  }
  if (parsed.protocol !== 'https:') throw new Error('YODLEE_FASTLINK_URL: expected an absolute https URL')
  const fastlinkConfigName = required(values, 'YODLEE_FASTLINK_CONFIG_NAME', 'the FastLink configName is required')
  return { clientId, secret, adminLoginName, fastlinkUrl, fastlinkConfigName }
}

/** The FastLink URL to send users to; a relative one is resolved against the API base URL. */
export function resolveFastlinkUrl (creds: YodleeCredentials, baseUrl: string): string {
  return new URL(creds.fastlinkUrl, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString()
}
