/** Minimal argv parsing: positionals and `--flag value` / `--flag=value`. */
export function parseArgs (argv: string[]): { positional: string[], flags: Record<string, string> } {
  const positional: string[] = []
  const flags: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1)
      else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) flags[a.slice(2)] = argv[++i] as string
      else flags[a.slice(2)] = 'true'
    } else positional.push(a)
  }
  return { positional, flags }
}
