/** OpenAPI generation from the route schemas (`npm run openapi` writes openapi.yaml). */
import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'

export async function registerSwagger (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'banksync-broker',
        version: '0.1.0',
        description: 'Bank-synchronisation broker speaking the Odoo OdooFin protocol. `/proxy/*` endpoints always answer HTTP 200 with a JSON-RPC style envelope (`result` or `error`); every other surface uses real status codes and RFC 9457 problem details.'
      },
      // A fixed server keeps the generated file identical on every machine; deployments set PUBLIC_URL.
      servers: [{ url: 'http://127.0.0.1:3000', description: 'npm start (sandbox mode)' }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      tags: [
        { name: 'odoo', description: 'The Odoo client protocol (signed with odoofin-* headers unless noted).' },
        { name: 'admin', description: 'Ops administration (bearer JWT, role ops to write).' },
        { name: 'support', description: 'Support look-ups (bearer JWT, role support or ops).' },
        { name: 'ops', description: 'Health and metrics.' },
        { name: 'webhooks', description: 'Signed deliveries from aggregators.' }
      ]
    },
    // Sandboxes are test doubles of other companies' APIs, not part of our interface.
    transform: ({ schema, url }) => ({ schema: url.startsWith('/sandbox/') ? { ...(schema ?? {}), hide: true } as typeof schema : schema, url }),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
}
