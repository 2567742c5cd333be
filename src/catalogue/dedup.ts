/**
 * One entry per bank: listings of several providers in the same country are the same bank when
 * they share the BIC8 or the normalised name. The entry is connected through the preferred
 * provider for that country; the other listings stay reachable as alternatives.
 */
import type { Institution } from '../../providers/types.js'
import { bic8, dedupName } from './normalize.js'
import { providerRank } from './preference.js'

export interface CatalogueEntry {
  /** `provider:institutionId` of the preferred listing: what the dashboard hands out as `id`. */
  ref: string
  name: string
  country: string
  bic: string | null
  beta: boolean
  logoUrl: string | null
  primary: Institution
  /** The same bank through other providers, best first. */
  alternatives: Institution[]
}

export const refOf = (inst: Pick<Institution, 'provider' | 'id'>): string => `${inst.provider}:${inst.id}`

export function parseRef (ref: string): { provider: string, id: string } | null {
  const i = ref.indexOf(':')
  if (i <= 0 || i === ref.length - 1) return null
  return { provider: ref.slice(0, i), id: ref.slice(i + 1) }
}

export function dedupe (institutions: readonly Institution[]): CatalogueEntry[] {
  const parent = institutions.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) { parent[i] = parent[parent[i] as number] as number; i = parent[i] as number }
    return i
  }
  const firstByKey = new Map<string, number>()
  institutions.forEach((inst, i) => {
    const keys = [`${inst.country}|n|${dedupName(inst.name)}`]
    const b = bic8(inst.bic)
    if (b !== null) keys.push(`${inst.country}|b|${b}`)
    for (const key of keys) {
      const seen = firstByKey.get(key)
      if (seen === undefined) firstByKey.set(key, i)
      else parent[find(i)] = find(seen)
    }
  })
  const groups = new Map<number, Institution[]>()
  institutions.forEach((inst, i) => {
    const root = find(i)
    const list = groups.get(root)
    if (list === undefined) groups.set(root, [inst])
    else list.push(inst)
  })
  const out: CatalogueEntry[] = []
  for (const members of groups.values()) {
    const sorted = members.slice().sort((a, b) => providerRank(a.country, a.provider) - providerRank(b.country, b.provider))
    const primary = sorted[0] as Institution
    out.push({
      ref: refOf(primary),
      name: primary.name,
      country: primary.country,
      bic: primary.bic ?? sorted.find(m => m.bic !== null)?.bic ?? null,
      beta: primary.beta,
      logoUrl: primary.logoUrl ?? sorted.find(m => m.logoUrl !== null)?.logoUrl ?? null,
      primary,
      alternatives: sorted.slice(1)
    })
  }
  return out
}
