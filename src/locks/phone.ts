/**
 * The registered phone of a database, as the link flow stores it (src/link/phone-verification.ts,
 * `markVerified`): `keys.phone(db)` HASH, `phone` sealed with AAD `phone:<db_uuid>`, `verified_at`.
 */
import type { Services } from '../services.js'

/** The verified phone in E.164, or null (none registered, not verified, or unreadable). */
export async function registeredPhone (s: Services, dbUuid: string): Promise<string | null> {
  const [sealed, verifiedAt] = await s.redis.hmget(s.keys.phone(dbUuid), 'phone', 'verified_at')
  if (sealed === null || verifiedAt === null) return null
  try {
    return s.box.open(sealed, `phone:${dbUuid}`)
  } catch {
    s.log?.warn({ dbUuid }, 'registered phone unreadable (encryption key removed?)')
    return null
  }
}
