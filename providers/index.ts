/** The provider registry: a literal map, greppable and type-checked (no discovery magic). */
import type { ProviderModule } from './module.js'
import type { ProviderId } from './types.js'
import { plaidModule } from './plaid/index.js'
import { yodleeModule } from './yodlee/index.js'
import { saltedgeModule } from './saltedge/index.js'
import { pontoModule } from './ponto/index.js'
import { enablebankingModule } from './enablebanking/index.js'

export const PROVIDER_MODULES: Record<ProviderId, ProviderModule<any>> = {
  plaid: plaidModule,
  yodlee: yodleeModule,
  saltedge: saltedgeModule,
  ponto: pontoModule,
  enablebanking: enablebankingModule
}
