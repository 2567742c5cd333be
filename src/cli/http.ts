/** The CLI's calls to the admin API (undici, with a timeout). */
import { request } from 'undici'

export async function adminRequest (base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number, body: unknown }> {
  const res = await request(new URL(path, base), {
    method: method as 'GET',
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    headersTimeout: 15_000,
    bodyTimeout: 15_000
  })
  const text = await res.body.text()
  let parsed: unknown = text
  try { parsed = JSON.parse(text) } catch {}
  return { status: res.statusCode, body: parsed }
}
