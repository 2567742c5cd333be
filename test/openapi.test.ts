import t from 'tap'
import { readFileSync } from 'node:fs'
import SwaggerParser from '@apidevtools/swagger-parser'
import { parse } from 'yaml'
import { generateOpenapi } from '../src/openapi.js'

t.test('openapi.yaml is generated from the route schemas and has not drifted', async t => {
  const committed = readFileSync('openapi.yaml', 'utf8')
  const generated = await generateOpenapi()
  t.equal(committed, generated, 'run `npm run openapi` and commit openapi.yaml')
})

t.test('openapi.yaml is valid and every operation is documented', async t => {
  const api = await SwaggerParser.validate('openapi.yaml') as { paths: Record<string, Record<string, { operationId?: string, summary?: string, tags?: string[] }>> }
  const ids = new Set<string>()
  for (const [path, ops] of Object.entries(api.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      t.ok(op.operationId, `${method} ${path} has an operationId`)
      t.ok(op.summary, `${method} ${path} has a summary`)
      t.ok(op.tags?.length, `${method} ${path} has a tag`)
      t.notOk(ids.has(op.operationId as string), `${op.operationId as string} is unique`)
      ids.add(op.operationId as string)
    }
  }
  const doc = parse(readFileSync('openapi.yaml', 'utf8')) as { paths: Record<string, unknown> }
  for (const p of ['/proxy/v1/exchange_token', '/proxy/v1/get_access_token', '/proxy/v1/renew_token', '/admin/errors/{reference}', '/health', '/ready', '/metrics']) {
    t.ok(doc.paths[p], `${p} is documented`)
  }
})
