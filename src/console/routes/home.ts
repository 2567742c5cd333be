/** The console home and the list of locks. */
import type { FastifyInstance } from 'fastify'
import type { ConsoleContext } from '../context.js'
import { listLocks } from '../../locks/store.js'
import { homePage } from '../pages/home.js'
import { locksPage } from '../pages/locks.js'
import { viewerOf } from '../guard.js'

const CLIENTS_PER_LOCKED_DB = 10

export async function homeRoutes (app: FastifyInstance, { s }: ConsoleContext): Promise<void> {
  app.get('/', async (req, reply) => await reply.type('text/html; charset=utf-8').send(homePage(viewerOf(req))))

  app.get('/locks', async (req, reply) => {
    const list = await listLocks(s)
    const dbClients = new Map<string, string[]>()
    for (const d of list.databases) dbClients.set(d.db_uuid, (await s.clients.listForDb(d.db_uuid)).sort().slice(0, CLIENTS_PER_LOCKED_DB))
    return await reply.type('text/html; charset=utf-8').send(locksPage(viewerOf(req), list, dbClients))
  })
}
