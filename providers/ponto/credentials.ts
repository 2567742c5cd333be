/**
 * Ponto Connect settings (environment variables) and the credentials built from them: OAuth
 * client, Ibanity application id (webhook audience), authorization page and the optional mTLS pair.
 */
import { readFileSync } from 'node:fs'
import type { ProviderSetting } from '../module.js'
import { SANDBOX_APPLICATION_ID, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from './sandbox-keys.js'

export const REAL_AUTHORIZATION_URL = 'https://authorization.myponto.com/oauth2/auth'

export interface PontoTls {
  cert: string
  key: string
  passphrase: string | null
  /** Extra trusted CA (PEM) for the server side; null trusts the system roots (Ibanity's case). */
  ca: string | null
}

export interface PontoCredentials {
  clientId: string
  clientSecret: string
  /** Ibanity application id: the `aud` of signed webhooks; null disables webhook verification. */
  applicationId: string | null
  /** The user-facing OAuth2 page; null means `<baseUrl>/oauth2/auth` (the local sandbox). */
  authorizationUrl: string | null
  /** Client certificate for mTLS (the real API requires it; the sandbox does not). */
  tls: PontoTls | null
}

export const pontoSettings: readonly ProviderSetting[] = [
  { name: 'PONTO_CLIENT_ID', description: 'Ponto Connect OAuth2 client id (Ibanity developer portal, Ponto Connect application).', secret: false },
  { name: 'PONTO_CLIENT_SECRET', description: 'Ponto Connect OAuth2 client secret.', secret: true },
  { name: 'PONTO_APPLICATION_ID', description: 'Ibanity application id, checked as the `aud` of signed webhooks (optional; without it webhooks are refused).', secret: false },
  { name: 'PONTO_AUTHORIZATION_URL', description: `Ponto authorization page (optional, default ${REAL_AUTHORIZATION_URL}; the sandbox one is https://sandbox-authorization.myponto.com/oauth2/auth).`, secret: false },
  { name: 'PONTO_TLS_CERT_PATH', description: 'Path to the Ibanity mTLS client certificate (PEM). Required by the real API; optional for the local sandbox.', secret: false },
  { name: 'PONTO_TLS_KEY_PATH', description: 'Path to the private key (PEM) of the mTLS client certificate.', secret: false },
  { name: 'PONTO_TLS_KEY_PASSPHRASE', description: 'Passphrase of the mTLS private key (optional).', secret: true },
  { name: 'PONTO_TLS_CA_PATH', description: 'Extra CA bundle (PEM) to trust for the API server, e.g. behind a TLS-inspecting proxy (optional; the system roots are used otherwise).', secret: false }
]

function value (values: Record<string, string | undefined>, name: string): string | null {
  const v = values[name]?.trim()
  return v === undefined || v === '' ? null : v
}

function required (values: Record<string, string | undefined>, name: string, what: string): string {
  const v = value(values, name)
  if (v === null) throw new Error(`${name}: ${what}`)
  return v
}

function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]'
}

function authorizationUrl (raw: string | null): string {
  if (raw === null) return REAL_AUTHORIZATION_URL
  let url: URL
  try { url = new URL(raw) } catch { throw new Error('PONTO_AUTHORIZATION_URL: expected an absolute https URL') }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new Error('PONTO_AUTHORIZATION_URL: expected an https URL (http only on loopback)')
  }
  return url.toString()
}

function readPem (name: string, path: string, marker: RegExp): string {
  let text: string
  try { text = readFileSync(path, 'utf8') } catch { throw new Error(`${name}: cannot read the file at this path`) }
  if (!marker.test(text)) throw new Error(`${name}: expected a PEM file`)
  return text
}

function tls (values: Record<string, string | undefined>): PontoTls | null {
  const certPath = value(values, 'PONTO_TLS_CERT_PATH')
  const keyPath = value(values, 'PONTO_TLS_KEY_PATH')
  const caPath = value(values, 'PONTO_TLS_CA_PATH')
  if (certPath === null && keyPath === null) return null
  if (certPath === null) throw new Error('PONTO_TLS_CERT_PATH: required when PONTO_TLS_KEY_PATH is set')
  if (keyPath === null) throw new Error('PONTO_TLS_KEY_PATH: required when PONTO_TLS_CERT_PATH is set')
  return {
    cert: readPem('PONTO_TLS_CERT_PATH', certPath, /-----BEGIN CERTIFICATE-----/),
    key: readPem('PONTO_TLS_KEY_PATH', keyPath, /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
    passphrase: value(values, 'PONTO_TLS_KEY_PASSPHRASE'),
    ca: caPath === null ? null : readPem('PONTO_TLS_CA_PATH', caPath, /-----BEGIN CERTIFICATE-----/)
  }
}

export function pontoCredentialsFromSettings (values: Record<string, string | undefined>): PontoCredentials {
  return {
    clientId: required(values, 'PONTO_CLIENT_ID', 'expected the Ponto Connect client id'),
    clientSecret: required(values, 'PONTO_CLIENT_SECRET', 'expected the Ponto Connect client secret'),
    applicationId: value(values, 'PONTO_APPLICATION_ID'),
    authorizationUrl: authorizationUrl(value(values, 'PONTO_AUTHORIZATION_URL')),
    tls: tls(values)
  }
}

/** Credentials the sandbox mounted at `baseUrl` accepts; its authorization page is `<baseUrl>/oauth2/auth`. */
export function pontoSandboxCredentials (baseUrl: string): PontoCredentials {
  return { clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET, applicationId: SANDBOX_APPLICATION_ID, authorizationUrl: `${baseUrl.replace(/\/+$/, '')}/oauth2/auth`, tls: null }
}
