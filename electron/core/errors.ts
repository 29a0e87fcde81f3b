/**
 * Every failure a user can cause or meet ends up as a KeytrayError: one plain line that says what
 * went wrong, for which profile, and how to fix it. The CLI prints `toLine()` and exits 1 (or 2 for
 * usage errors); it never prints a stack trace.
 *
 * Messages must never contain a secret. Access key IDs are masked with `maskAccessKeyId`.
 */
export type ErrorCode =
  | 'usage'
  | 'unknown-profile'
  | 'config-malformed'
  | 'config-cycle'
  | 'config-changed'
  | 'config-invalid'
  | 'no-stored-key'
  | 'keychain-unavailable'
  | 'mfa-required'
  | 'mfa-invalid'
  | 'mfa-reused'
  | 'mfa-cancelled'
  | 'mfa-process-failed'
  | 'sts-denied'
  | 'sts-unavailable'
  | 'sts-invalid'
  | 'iam-limit'
  | 'rotate-incomplete'
  | 'agent'
  | 'sso-signin'
  | 'sso-denied'
  | 'sso-timeout'
  | 'sso-expired'
  | 'io';

export class KeytrayError extends Error {
  readonly code: ErrorCode;
  readonly profile?: string;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: { profile?: string; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeytrayError';
    this.code = code;
    this.profile = options.profile;
    this.hint = options.hint;
  }

  /** Usage errors exit 2 (SPEC §4); every other failure exits 1. */
  get exitCode(): number {
    return this.code === 'usage' ? 2 : 1;
  }

  /** The single line a user reads: what, for which profile, how to fix it. */
  toLine(): string {
    const where = this.profile && !this.message.includes(`"${this.profile}"`) ? ` (profile "${this.profile}")` : '';
    const hint = this.hint ? ` ${this.hint}` : '';
    return oneLine(`${this.message}${where}.${hint}`.replace(/\.\./g, '.'));
  }

  /** A plain object that survives IPC and the agent socket (thrown errors lose their fields there). */
  toJSON(): SerializedError {
    return { code: this.code, message: this.message, profile: this.profile, hint: this.hint };
  }

  static fromJSON(e: SerializedError): KeytrayError {
    return new KeytrayError(e.code, e.message, { profile: e.profile, hint: e.hint });
  }
}

/** True for a KeytrayError from any copy of this module (the CLI's fast-path bundle has its own). */
export function isKeytrayError(err: unknown): err is KeytrayError {
  return err instanceof KeytrayError || (err instanceof Error && err.name === 'KeytrayError' && typeof (err as KeytrayError).toJSON === 'function');
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  profile?: string;
  hint?: string;
}

/** Shows only the last 4 characters of an access key ID: enough to tell keys apart in a message. */
export function maskAccessKeyId(id: string): string {
  return id.length <= 4 ? '****' : `${'*'.repeat(Math.min(id.length - 4, 16))}${id.slice(-4)}`;
}

export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Turns anything thrown into a KeytrayError without leaking a stack trace or an unexpected secret. */
export function asKeytrayError(err: unknown, profile?: string): KeytrayError {
  if (err instanceof KeytrayError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KeytrayError('io', `Unexpected failure: ${oneLine(message)}`, {
    profile,
    hint: 'Run again; if it persists, report it with the command you ran.',
  });
}
