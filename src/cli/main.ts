/**
 * `banksync`: the ops and support CLI. It talks to the admin API (BANKSYNC_URL) with a bearer token
 * (BANKSYNC_TOKEN, or one minted from ADMIN_JWT_SECRET). Run `banksync help` for the commands.
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from './args.js'
import { adminRequest } from './http.js'
import { mintAdminToken, type AdminRole } from '../admin/auth.js'

const HELP = `banksync: ops and support CLI for banksync-broker

  banksync admin-token --role ops|support [--sub NAME] [--ttl SECONDS]
  banksync keygen [--id ID]                       print a new ENCRYPTION_KEYS entry
  banksync subscriptions set DB_UUID --edition enterprise|online|community --expires YYYY-MM-DD
  banksync subscriptions show DB_UUID
  banksync errors show REFERENCE
  banksync errors list --client CLIENT_ID [--limit N]
  banksync clients show CLIENT_ID
  banksync locks list
  banksync clients lock CLIENT_ID --reason TEXT [--database]
  banksync clients send-code CLIENT_ID             SMS an unlock code to the registered phone
  banksync clients unlock CLIENT_ID --code CODE
  banksync locks reset CLIENT_ID                   clear a freeze (too many wrong codes)

Environment: BANKSYNC_URL (default http://127.0.0.1:3000), BANKSYNC_TOKEN, or ADMIN_JWT_SECRET
(+ ADMIN_JWT_ISSUER, ADMIN_JWT_AUDIENCE) to mint a token on the fly. Output is JSON.`

async function token (role: AdminRole = 'ops'): Promise<string> {
  if (process.env.BANKSYNC_TOKEN) return process.env.BANKSYNC_TOKEN
  const secret = process.env.ADMIN_JWT_SECRET
  if (!secret) throw new Error('set BANKSYNC_TOKEN, or ADMIN_JWT_SECRET to mint one')
  return await mintAdminToken({ secret: Buffer.from(secret), issuer: process.env.ADMIN_JWT_ISSUER ?? 'banksync-broker', audience: process.env.ADMIN_JWT_AUDIENCE ?? 'banksync-admin' }, role, `cli:${process.env.USER ?? 'ops'}`, 600)
}

function need (value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new Error(`missing ${what}`)
  return value
}

export async function run (argv: string[], out: (line: string) => void): Promise<number> {
  const { positional: [cmd, sub, arg], flags } = parseArgs(argv)
  const base = process.env.BANKSYNC_URL ?? 'http://127.0.0.1:3000'
  const call = async (method: string, path: string, body?: unknown, role: AdminRole = 'ops') => await adminRequest(base, await token(role), method, path, body)
  const print = (r: { status: number, body: unknown }): number => { out(JSON.stringify(r.body, null, 2)); return r.status < 400 ? 0 : 1 }
  switch (`${cmd ?? ''} ${sub ?? ''}`.trim()) {
    case 'admin-token': {
      const role = need(flags.role, '--role') as AdminRole
      if (role !== 'ops' && role !== 'support') throw new Error('--role must be ops or support')
      const secret = need(process.env.ADMIN_JWT_SECRET, 'ADMIN_JWT_SECRET')
      out(await mintAdminToken({ secret: Buffer.from(secret), issuer: process.env.ADMIN_JWT_ISSUER ?? 'banksync-broker', audience: process.env.ADMIN_JWT_AUDIENCE ?? 'banksync-admin' }, role, flags.sub ?? `cli:${process.env.USER ?? 'ops'}`, Number(flags.ttl ?? 3600)))
      return 0
    }
    case 'keygen':
      out(`${flags.id ?? `k${Date.now().toString(36)}`}:${randomBytes(32).toString('base64')}`)
      return 0
    case 'subscriptions set':
      return print(await call('PUT', `/admin/subscriptions/${encodeURIComponent(need(arg, 'DB_UUID'))}`, { edition: need(flags.edition, '--edition'), expires_on: need(flags.expires, '--expires') }))
    case 'subscriptions show':
      return print(await call('GET', `/admin/subscriptions/${encodeURIComponent(need(arg, 'DB_UUID'))}`, undefined, 'support'))
    case 'errors show':
      return print(await call('GET', `/admin/errors/${encodeURIComponent(need(arg, 'REFERENCE'))}`, undefined, 'support'))
    case 'errors list':
      return print(await call('GET', `/admin/clients/${encodeURIComponent(need(flags.client, '--client'))}/errors?limit=${Number(flags.limit ?? 50)}`, undefined, 'support'))
    case 'clients show':
      return print(await call('GET', `/admin/clients/${encodeURIComponent(need(arg, 'CLIENT_ID'))}`, undefined, 'support'))
    case 'locks list':
      return print(await call('GET', '/admin/locks', undefined, 'support'))
    case 'locks reset':
      return print(await call('POST', `/admin/clients/${encodeURIComponent(need(arg, 'CLIENT_ID'))}/reset`))
    case 'clients lock':
      return print(await call('POST', `/admin/clients/${encodeURIComponent(need(arg, 'CLIENT_ID'))}/lock`, { reason: need(flags.reason, '--reason'), scope: flags.database === 'true' ? 'database' : 'client' }))
    case 'clients send-code':
      return print(await call('POST', `/admin/clients/${encodeURIComponent(need(arg, 'CLIENT_ID'))}/unlock-code`))
    case 'clients unlock':
      return print(await call('POST', `/admin/clients/${encodeURIComponent(need(arg, 'CLIENT_ID'))}/unlock`, { code: need(flags.code, '--code') }))
    case 'help':
    case '':
      out(HELP)
      return 0
    default:
      out(HELP)
      return 2
  }
}
