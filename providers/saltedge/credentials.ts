/**
 * Salt Edge credentials: the app's API key pair, the private key that signs every request, and
 * Salt Edge's public key that callbacks are checked with. Read from `SALTEDGE_*` settings.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import type { ProviderSetting } from '../module.js'

export interface SaltEdgeCredentials {
  appId: string
  secret: string
  /** PEM of the app's RSA private key; its public half is uploaded in the Salt Edge dashboard. */
  privateKeyPem: string
  /** PEM of Salt Edge's RSA public key that signs callbacks. */
  callbackPublicKeyPem: string
}

export const SALTEDGE_SETTINGS: readonly ProviderSetting[] = [
  { name: 'SALTEDGE_APP_ID', description: 'Salt Edge API key App-id (dashboard, API keys page).', secret: false },
  { name: 'SALTEDGE_SECRET', description: 'Salt Edge API key Secret matching SALTEDGE_APP_ID.', secret: true },
  { name: 'SALTEDGE_PRIVATE_KEY', description: 'PEM of the RSA private key (2048+ bits) that signs every API request; upload its public key in the Salt Edge dashboard. Literal "\\n" sequences are accepted.', secret: true },
  { name: 'SALTEDGE_CALLBACK_PUBLIC_KEY', description: 'PEM of Salt Edge\'s public key (spectre_public.pem) used to verify callback signatures. Literal "\\n" sequences are accepted.', secret: false }
]

function pemFrom (value: string): string {
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value
}

function required (values: Record<string, string | undefined>, name: string, what: string): string {
  const v = values[name]?.trim()
  if (v === undefined || v === '') throw new Error(`${name}: ${what}`)
  return v
}

function rsaBits (key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0
}

export function credentialsFromSettings (values: Record<string, string | undefined>): SaltEdgeCredentials {
  const appId = required(values, 'SALTEDGE_APP_ID', 'the Salt Edge App-id is required')
  const secret = required(values, 'SALTEDGE_SECRET', 'the Salt Edge Secret is required')
  const privateKeyPem = pemFrom(required(values, 'SALTEDGE_PRIVATE_KEY', 'a PEM RSA private key is required (requests are always signed)'))
  const callbackPublicKeyPem = pemFrom(required(values, 'SALTEDGE_CALLBACK_PUBLIC_KEY', 'Salt Edge\'s PEM public key is required to verify callbacks'))
  let priv: KeyObject
  try { priv = createPrivateKey(privateKeyPem) } catch { throw new Error('SALTEDGE_PRIVATE_KEY: not a readable PEM private key') }
  if (priv.asymmetricKeyType !== 'rsa' || rsaBits(priv) < 2048) throw new Error('SALTEDGE_PRIVATE_KEY: an RSA key of at least 2048 bits is expected')
  let pub: KeyObject
  try { pub = createPublicKey(callbackPublicKeyPem) } catch { throw new Error('SALTEDGE_CALLBACK_PUBLIC_KEY: not a readable PEM public key') }
  if (pub.asymmetricKeyType !== 'rsa') throw new Error('SALTEDGE_CALLBACK_PUBLIC_KEY: an RSA public key is expected')
  return { appId, secret, privateKeyPem, callbackPublicKeyPem }
}
