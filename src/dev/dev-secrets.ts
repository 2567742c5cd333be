/** Development secrets for `npm start`: generated once into .data/dev.env so sealed data stays readable across restarts. */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export function devSecrets (file: string): Record<string, string> {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true })
    const lines = [
      `ENCRYPTION_KEYS=dev1:${randomBytes(32).toString('base64')}`,
      `ADMIN_JWT_SECRET=${randomBytes(32).toString('base64url')}`
    ]
    writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 })
  }
  const out: Record<string, string> = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}
