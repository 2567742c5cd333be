/**
 * The operations of the committed `openapi.yaml`, flattened for the fuzzers: method, path, where
 * each parameter goes, the request body schema (local `$ref`s resolved) and the surface the
 * answer belongs to (Odoo envelope, problem+json, ops).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export type JsonSchema = Record<string, unknown>

export interface Parameter { name: string, in: 'path' | 'query' | 'header', required: boolean, schema: JsonSchema }

export type Surface = 'proxy' | 'admin' | 'ops' | 'webhook'

export interface Operation {
  id: string
  method: string
  path: string
  surface: Surface
  params: Parameter[]
  body: JsonSchema | null
  /** Bearer JWT required (admin and support routes). */
  bearer: boolean
  /** Signed with the odoofin-* headers. */
  signed: boolean
}

const SPEC_PATH = fileURLToPath(new URL('../../../../openapi.yaml', import.meta.url))

function surfaceOf (path: string): Surface {
  if (path.startsWith('/proxy/')) return 'proxy'
  if (path.startsWith('/admin/')) return 'admin'
  if (path.startsWith('/webhooks/')) return 'webhook'
  return 'ops'
}

function resolver (spec: JsonSchema): (schema: unknown) => JsonSchema {
  const resolve = (schema: unknown, depth = 0): JsonSchema => {
    if (schema === null || typeof schema !== 'object' || depth > 20) return {}
    const ref = (schema as { $ref?: unknown }).$ref
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      let target: unknown = spec
      for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown>)?.[part]
      return resolve(target, depth + 1)
    }
    return schema as JsonSchema
  }
  return resolve
}

export function loadOperations (): Operation[] {
  const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as JsonSchema
  const resolve = resolver(spec)
  const ops: Operation[] = []
  for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, JsonSchema>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue
      const params = ((op.parameters ?? []) as JsonSchema[]).map(p => ({ name: String(p.name), in: p.in as Parameter['in'], required: p.required === true, schema: resolve(p.schema) }))
      const content = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content
      const body = content?.['application/json']?.schema !== undefined ? resolve(content['application/json'].schema) : null
      ops.push({
        id: String(op.operationId ?? `${method} ${path}`),
        method: method.toUpperCase(),
        path,
        surface: surfaceOf(path),
        params,
        body,
        bearer: Array.isArray(op.security) && op.security.length > 0,
        signed: params.some(p => p.in === 'header' && p.name === 'odoofin-signature')
      })
    }
  }
  return ops
}

/** `/admin/clients/{client_id}` with each `{name}` replaced by its (already encoded) value. */
export function fillPath (path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => values[name] ?? 'x')
}
