/**
 * Redis Cluster key → hash slot (cluster spec): CRC16-CCITT (XModem) of the key, or of its hash
 * tag (the text between the first `{` and the next `}`, when not empty), modulo 16384.
 */

function crc16 (data: Buffer): number {
  let crc = 0
  for (const byte of data) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++) crc = (crc & 0x8000) !== 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

export function hashTag (key: string): string {
  const open = key.indexOf('{')
  if (open === -1) return key
  const close = key.indexOf('}', open + 1)
  if (close === -1 || close === open + 1) return key
  return key.slice(open + 1, close)
}

export const keySlot = (key: string): number => crc16(Buffer.from(hashTag(key), 'utf8')) % 16384

export const crc16Of = (text: string): number => crc16(Buffer.from(text, 'utf8'))
