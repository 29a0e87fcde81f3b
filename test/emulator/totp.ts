import { createHmac, randomBytes } from 'node:crypto';

/**
 * RFC 4648 base32 and RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits), which is what AWS virtual MFA
 * devices use. The emulator keeps the raw seed and hands tests its base32 form, exactly like the
 * `Base32StringSeed` that IAM CreateVirtualMFADevice returns.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  // Authenticator apps accept lower case, spaces and '=' padding; so do we.
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP for one counter value. */
export function hotp(secret: Buffer, counter: number, digits = 6): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return bin.toString().padStart(digits, '0');
}

/** The TOTP time-step counter for an instant. */
export function totpCounter(atMs: number, stepSeconds = 30): number {
  return Math.floor(atMs / 1000 / stepSeconds);
}

/** RFC 6238 TOTP code at `atMs`. `secret` is raw bytes or its base32 text. */
export function totp(secret: Buffer | string, atMs: number, stepSeconds = 30, digits = 6): string {
  const key = typeof secret === 'string' ? base32Decode(secret) : secret;
  return hotp(key, totpCounter(atMs, stepSeconds), digits);
}

/** A fresh seed: 40 random bytes, i.e. the 64-character base32 seed AWS issues for virtual MFA. */
export function newTotpSecret(): Buffer {
  return randomBytes(40);
}
