import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeytrayError } from '../errors';
import type { Clock } from '../types';
import { replaceFile } from '../replaceFile';
import { ensurePrivateDirectory } from '../privateDirectory';

/**
 * STS rejects a TOTP code that was already used for the same device, with an AccessDenied that reads
 * like a wrong code. Remembering the last code sent per serial lets Keytray say "wait for the next
 * code" instead, and never burns a round trip on a code that cannot work.
 *
 * Only a salted hash is kept: a spent code is worthless, but there is no reason to write it down.
 * The file lives in Keytray's data directory so the CLI, the agent and the app share it.
 */
export class TotpReuseGuard {
  /** A code stays "used" this long; TOTP windows are 30 s and STS accepts one step of drift. */
  static readonly MEMORY_MS = 5 * 60 * 1000;

  constructor(
    private readonly file: string,
    private readonly clock: Clock,
  ) {}

  /** Throws 'mfa-reused' when this code was already sent for this serial. */
  assertUnused(serial: string, code: string, profile: string): void {
    const last = this.read()[serial];
    if (last && last.hash === digest(serial, code) && this.clock.now() - last.at < TotpReuseGuard.MEMORY_MS) {
      throw new KeytrayError('mfa-reused', `The MFA code ${code} was already used for ${serial}`, {
        profile,
        hint: 'AWS accepts each code only once: wait for the next code (up to 30 seconds) and enter that one.',
      });
    }
  }

  /** Records a code as spent: STS has checked it, whether it accepted it or not. */
  recordSent(serial: string, code: string): void {
    const all = this.read();
    const now = this.clock.now();
    for (const [s, v] of Object.entries(all)) if (now - v.at >= TotpReuseGuard.MEMORY_MS) delete all[s];
    all[serial] = { hash: digest(serial, code), at: now };
    ensurePrivateDirectory(path.dirname(this.file));
    replaceFile(this.file, JSON.stringify(all));
  }

  private read(): Record<string, { hash: string; at: number }> {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch {
      return {};
    }
  }
}

function digest(serial: string, code: string): string {
  return createHash('sha256').update(`keytray-totp\0${serial}\0${code}`).digest('hex');
}
