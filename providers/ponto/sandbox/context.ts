/** What every route module of the Ponto sandbox shares: state, catalog, options and the clock. */
import type { SandboxOptions } from '../../module.js'
import type { Catalog } from './data.js'
import type { SandboxState } from './state.js'

export interface SandboxContext {
  state: SandboxState
  catalog: Catalog
  opts: SandboxOptions
  now: () => number
  /** Absolute mount URL without trailing slash (links in responses are absolute, like Ibanity's). */
  baseUrl: string
}
