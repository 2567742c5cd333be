/**
 * The mTLS dispatcher the real Ibanity API requires: an undici Agent presenting the client
 * certificate, with the same timeouts and size cap as the shared outbound agent.
 */
import { rootCertificates } from 'node:tls'
import { Agent, type Dispatcher } from 'undici'
import { HTTP_LIMITS } from '../http.js'
import type { PontoTls } from './credentials.js'

export function createMtlsDispatcher (tls: PontoTls): Dispatcher {
  return new Agent({
    connect: {
      timeout: HTTP_LIMITS.connectTimeoutMs,
      cert: tls.cert,
      key: tls.key,
      ...(tls.passphrase !== null ? { passphrase: tls.passphrase } : {}),
      // Node's `ca` replaces the system roots, so the extra CA is added to them.
      ...(tls.ca !== null ? { ca: [...rootCertificates, tls.ca] } : {})
    },
    headersTimeout: HTTP_LIMITS.headersTimeoutMs,
    bodyTimeout: HTTP_LIMITS.bodyTimeoutMs,
    maxResponseSize: HTTP_LIMITS.maxResponseBytes,
    keepAliveTimeout: 4_000
  })
}
