/** TypeBox schemas of the Odoo wire protocol: the `utils` object, the envelope, token results. */
import { Type, type TSchema } from 'typebox'

export const UtilsSchema = Type.Object({
  db_uuid: Type.String({ maxLength: 64, description: 'The database uuid; binds a client to one database.' }),
  server_version: Type.Optional(Type.String({ maxLength: 32 })),
  lang: Type.Optional(Type.String({ maxLength: 16 })),
  cron: Type.Optional(Type.Boolean()),
  request_timeout: Type.Optional(Type.Number()),
  psu_info: Type.Optional(Type.Union([Type.Null(), Type.Object({ ip: Type.Optional(Type.String({ maxLength: 64 })), user_agent: Type.Optional(Type.String({ maxLength: 1024 })) })]))
}, { additionalProperties: true })

/** Request body: endpoint fields plus `utils`. Unknown keys are tolerated (Odoo versions differ). */
export function proxyBody (fields: Record<string, TSchema> = {}): TSchema {
  return Type.Object({ ...fields, utils: UtilsSchema }, { additionalProperties: true })
}

export const OdooErrorSchema = Type.Object({
  code: Type.Integer({ description: '100 bad signature, 101 access token expired, 102 refresh token expired, 104 deleted, 106 data unreadable, 300 redirect; anything else is a real error.' }),
  message: Type.String(),
  data: Type.Object({
    message: Type.String(),
    error_reference: Type.String(),
    exception_type: Type.Optional(Type.String()),
    provider_type: Type.Optional(Type.String()),
    redirect_warning_url: Type.Optional(Type.String()),
    odoofin_state: Type.Optional(Type.Union([Type.Literal('connected'), Type.Literal('error'), Type.Literal('disconnected')])),
    mode: Type.Optional(Type.String())
  })
}, { $id: 'OdooError' })

/** HTTP 200 envelope: `result` on success, `error` on failure (the Odoo client ignores the status). */
export function envelope (result: TSchema): TSchema {
  return Type.Object({
    jsonrpc: Type.Literal('2.0'),
    id: Type.Null(),
    result: Type.Optional(result),
    error: Type.Optional(Type.Ref('OdooError'))
  })
}

export const SIGNED_HEADERS = Type.Object({
  'odoofin-client-id': Type.Optional(Type.String({ description: 'client_id from exchange_token' })),
  'odoofin-access-token': Type.Optional(Type.String()),
  'odoofin-timestamp': Type.Optional(Type.String({ description: 'Unix seconds' })),
  'odoofin-signature': Type.Optional(Type.String({ description: 'base64 HMAC-SHA256, see README' }))
})
