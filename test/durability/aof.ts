/**
 * Redis 7's multi-part AOF: `appendonlydir/` holds a base file, incremental files and a manifest
 * naming them. Writes since the last rewrite are appended to the last incremental file.
 */
import { readFileSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'

const AOF_DIR = 'appendonlydir'
const MANIFEST = 'appendonly.aof.manifest'

/** The incremental file Redis appends to, from the manifest (`file <name> seq <n> type i`). */
export function currentIncrFile (redisDir: string): string {
  const manifest = readFileSync(join(redisDir, AOF_DIR, MANIFEST), 'utf8')
  const incr = manifest.split('\n').map(line => /^file (\S+) seq (\d+) type i$/.exec(line.trim())).filter(m => m !== null)
  const last = incr.sort((a, b) => Number(a[2]) - Number(b[2])).at(-1)
  if (last === undefined) throw new Error(`no incremental AOF in the manifest: ${manifest}`)
  return join(redisDir, AOF_DIR, last[1] as string)
}

export const sizeOf = (file: string): number => statSync(file).size

/** Cuts the last `bytes` bytes, as a crash in the middle of a write would. */
export function tearTail (file: string, bytes: number): void {
  truncateSync(file, sizeOf(file) - bytes)
}
