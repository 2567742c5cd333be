/**
 * Enable Banking settings: the application id (JWT `kid`) and the application's RSA private key.
 * The key may be given inline as PEM (real newlines or `\n` escapes, as env files often hold it)
 * or as an absolute path to a PEM file (Docker/Kubernetes secrets).
 */
import { createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import type { ProviderSetting } from '../module.js'

export interface EnableBankingCredentials {
  applicationId: string
  /** PKCS#8 or PKCS#1 RSA private key, PEM text. */
  privateKeyPem: string
}

export const SETTINGS: readonly ProviderSetting[] = [
  {
    name: 'ENABLEBANKING_APPLICATION_ID',
    description: 'Enable Banking application id (UUID shown in the Control Panel after uploading the certificate); sent as the JWT `kid`.',
    secret: false
  },
  {
    name: 'ENABLEBANKING_PRIVATE_KEY',
    description: 'RSA private key of the application: PEM text (newlines may be written as \\n) or an absolute path to a PEM file. Signs the RS256 API JWTs.',
    secret: true
  }
]

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function loadPem (value: string): string {
  const trimmed = value.trim()
  if (trimmed.startsWith('-----BEGIN')) return trimmed.replace(/\\n/g, '\n')
  if (isAbsolute(trimmed)) {
    try {
      return readFileSync(trimmed, 'utf8').trim()
    } catch {
      throw new Error('ENABLEBANKING_PRIVATE_KEY: the key file could not be read')
    }
  }
  throw new Error('ENABLEBANKING_PRIVATE_KEY: expected PEM text (-----BEGIN PRIVATE KEY-----…) or an absolute path to a PEM file')
}

export function credentialsFromSettings (values: Record<string, string | undefined>): EnableBankingCredentials {
  const applicationId = (values.ENABLEBANKING_APPLICATION_ID ?? '').trim()
  if (!UUID.test(applicationId)) throw new Error('ENABLEBANKING_APPLICATION_ID: expected the application id (a UUID) from the Enable Banking Control Panel')
  const raw = values.ENABLEBANKING_PRIVATE_KEY
  if (raw === undefined || raw.trim() === '') throw new Error('ENABLEBANKING_PRIVATE_KEY: expected the application RSA private key (PEM text or an absolute file path)')
  const privateKeyPem = loadPem(raw)
  let keyType: string | undefined
  try {
    keyType = createPrivateKey(privateKeyPem).asymmetricKeyType
  } catch {
    throw new Error('ENABLEBANKING_PRIVATE_KEY: not a readable PEM private key')
  }
  if (keyType !== 'rsa') throw new Error('ENABLEBANKING_PRIVATE_KEY: expected an RSA key (Enable Banking accepts RS256 only)')
  return { applicationId, privateKeyPem }
}
