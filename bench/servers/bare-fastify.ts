/**
 * The gate benchmark's baseline: a bare Fastify server (no logger, no hooks, no Redis) answering
 * POST BARE_PATH with the fixed JSON body BARE_RESPONSE, after parsing the request body as JSON.
 */
import Fastify from 'fastify'

const path = process.env.BARE_PATH ?? '/'
const response = JSON.parse(process.env.BARE_RESPONSE ?? '{}') as unknown
const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
app.post(path, async () => response)
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
