/**
 * Hostile requests for one OpenAPI operation: path parameters (valid, known ids, `../`, bad
 * percent-encoding, very long, unicode), query strings, declared and random headers (odoofin-*
 * with garbage), content types, and bodies (schema-guided, mutated, or raw text).
 */
import { validateHeaderName, validateHeaderValue } from 'node:http'
import fc from 'fast-check'
import type { Operation } from './openapi.js'
import { fillPath } from './openapi.js'
import { encodeAny, headerValue, mutatedOf, nastyString, pathSegment, queryString, queryValue, rawBodyText, renderJson, sampleOf } from './arbitraries.js'

export interface FuzzRequest {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string
}

export interface FuzzContext {
  /** Values that exist in the app (a seeded client id…), per path or header parameter name. */
  known: Record<string, string[]>
  /** The Authorization header to send (undefined: none). */
  authorization: fc.Arbitrary<string | undefined>
}

const CONTENT_TYPES = ['application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'application/vnd.odoo+json', 'multipart/form-data; boundary=x', 'application/json, text/plain', 'application/xml', ';;;', 'application/json\t']

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant('application/json') },
  { weight: 4, arbitrary: fc.constantFrom<string | undefined>(undefined, ...CONTENT_TYPES) }
)

const RANDOM_HEADER_NAMES = ['x-request-id', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'user-agent', 'accept', 'accept-language', 'cookie', 'origin', 'referer', 'odoofin-extra', 'x-http-method-override', 'host', 'authorization']

const randomHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.oneof(fc.constantFrom(...RANDOM_HEADER_NAMES), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)),
  headerValue,
  { maxKeys: 4 }
)

function odoofinHeader (name: string, known: string[]): fc.Arbitrary<string> {
  const now = Math.floor(Date.now() / 1000)
  const plausible: Record<string, fc.Arbitrary<string>> = {
    'odoofin-timestamp': fc.oneof(fc.integer({ min: now - 1000, max: now + 1000 }).map(String), fc.constantFrom('-1', '0', '1e9', '99999999999999999999', ` ${now}`, `${now}.5`, '0x10')),
    'odoofin-signature': fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }).map(b => Buffer.from(b).toString('base64')), fc.base64String({ maxLength: 100 })),
    'odoofin-client-id': fc.oneof(fc.stringMatching(/^cl_[A-Za-z0-9]{10,30}$/), fc.constantFrom('old_record_to_delete', 'duplicate', 'x'.repeat(513))),
    'odoofin-access-token': fc.uint8Array({ minLength: 16, maxLength: 48 }).map(b => Buffer.from(b).toString('base64url'))
  }
  const options: Array<fc.Arbitrary<string>> = [headerValue, plausible[name] ?? headerValue]
  if (known.length > 0) options.push(fc.constantFrom(...known))
  return fc.oneof(...options)
}

function pathValue (schema: Record<string, unknown>, known: string[]): fc.Arbitrary<string> {
  const options: Array<fc.Arbitrary<string>> = [sampleOf(schema).map(v => encodeAny(String(v))), pathSegment]
  if (known.length > 0) options.push(fc.constantFrom(...known).map(encodeAny))
  return fc.oneof(...options)
}

function declaredQuery (op: Operation): fc.Arbitrary<string[]> {
  const pairs = op.params.filter(p => p.in === 'query').map(p => fc.option(
    fc.oneof(sampleOf(p.schema).map(String), queryValue).map(v => `${encodeURIComponent(p.name)}=${encodeAny(v)}`),
    { nil: undefined }
  ))
  return fc.tuple(...pairs).map(list => list.filter((x): x is string => x !== undefined))
}

function bodyFor (op: Operation): fc.Arbitrary<string | undefined> {
  if (op.method === 'GET') return fc.constant(undefined)
  const options: Array<fc.WeightedArbitrary<string | undefined>> = [
    { weight: 2, arbitrary: rawBodyText },
    { weight: 1, arbitrary: fc.constant(undefined) }
  ]
  if (op.body !== null) options.push({ weight: 7, arbitrary: mutatedOf(op.body).map(renderJson) })
  else options.push({ weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(v => JSON.stringify(v) ?? 'null') })
  return fc.oneof(...options)
}

function sendable (headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name)
      validateHeaderValue(name, value)
      out[name] = value
    } catch {
      // a real HTTP client cannot send it either
    }
  }
  return out
}

export function requestsFor (op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter(p => p.in === 'path')
  const headerParams = op.params.filter(p => p.in === 'header')
  const path = fc.tuple(...pathParams.map(p => pathValue(p.schema, ctx.known[p.name] ?? [])))
    .map(values => fillPath(op.path, Object.fromEntries(pathParams.map((p, i) => [p.name, values[i] as string]))))
  const declaredHeaders = fc.tuple(...headerParams.map(p => fc.option(odoofinHeader(p.name, ctx.known[p.name] ?? []), { nil: undefined, freq: 4 })))
    .map(values => Object.fromEntries(headerParams.flatMap((p, i) => values[i] === undefined ? [] : [[p.name, values[i] as string]])))
  return fc.record({ path, declaredQuery: declaredQuery(op), extraQuery: queryString, declaredHeaders, randomHeaders, contentType, authorization: ctx.authorization, body: bodyFor(op) })
    .map(r => {
      const query = [...r.declaredQuery, ...(r.extraQuery === '' ? [] : [r.extraQuery.slice(1)])].filter(q => q !== '').join('&')
      const headers: Record<string, string> = { ...r.randomHeaders, ...r.declaredHeaders }
      if (r.authorization !== undefined) headers.authorization = r.authorization
      if (r.body !== undefined && r.contentType !== undefined) headers['content-type'] = r.contentType
      return { method: op.method, url: r.path + (query === '' ? '' : `?${query}`), headers: sendable(headers), ...(r.body !== undefined ? { payload: r.body } : {}) }
    })
}

/** Requests to paths and methods nobody declared (the not-found path must answer like the rest). */
export function strayRequests (prefixes: string[]): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    prefix: fc.constantFrom(...prefixes),
    rest: fc.array(fc.oneof(pathSegment, nastyString.filter(s => s.length < 200).map(encodeAny)), { maxLength: 3 }),
    query: queryString,
    body: fc.option(rawBodyText, { nil: undefined })
  }).map((r): FuzzRequest => ({
    method: r.method,
    url: r.prefix + r.rest.join('/') + r.query,
    headers: r.body !== undefined && r.method !== 'GET' ? { 'content-type': 'application/json' } : {},
    ...(r.body !== undefined && r.method !== 'GET' ? { payload: r.body } : {})
  }))
}
