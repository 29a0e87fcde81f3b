/**
 * Every failure a user can cause or meet ends up as a KeytrayError: one plain line that says what
 * went wrong, for which profile, and how to fix it. The CLI prints `toLine()` and exits 1 (or 2 for
 * usage errors); it never prints a stack trace.
 *
 * Messages must never contain a secret. Access key IDs are masked with `maskAccessKeyId`.
 */
export const ERROR_CODES = [
  'usage',
  'unknown-profile',
  'config-malformed',
  'config-cycle',
  'config-changed',
  'config-invalid',
  'no-stored-key',
  'keychain-unavailable',
  'mfa-required',
  'mfa-invalid',
  'mfa-reused',
  'mfa-cancelled',
  'mfa-process-failed',
  'sts-denied',
  'sts-unavailable',
  'sts-invalid',
  'iam-limit',
  'rotate-incomplete',
  'agent',
  'sso-signin',
  'sso-denied',
  'sso-timeout',
  'sso-expired',
  /** A browser sign-in the person cancelled in the app's prompt window. */
  'signin-cancelled',
  'io',
  'command-not-found',
  'command-not-runnable',
  'config-locked',
  'key-replace-unconfirmed',
  'key-verification-failed',
  'key-other-user',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

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

  /**
   * Usage errors exit 2, and so does a replacement that was not confirmed: like a missing --yes, the
   * command line lacked --replace. A command `exec` cannot find exits 127 and one it cannot run 126,
   * as a shell reports them (scripts test for these); every other failure exits 1.
   */
  get exitCode(): number {
    if (this.code === 'usage' || this.code === 'key-replace-unconfirmed') return 2;
    if (this.code === 'command-not-found') return 127;
    if (this.code === 'command-not-runnable') return 126;
    return 1;
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
  const errno = err as NodeJS.ErrnoException;
  // A file system failure names the file, which is what the user can act on; it is not a bug to report.
  if (err instanceof Error && typeof errno.code === 'string' && typeof errno.path === 'string') {
    return new KeytrayError('io', `Could not ${errno.syscall ?? 'use'} ${errno.path} (${errno.code})`, {
      profile,
      hint: 'Check that the path exists, is of the right kind and that you may write it.',
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KeytrayError('io', `Unexpected failure: ${oneLine(message)}`, {
    profile,
    hint: 'Run again; if it persists, report it with the command you ran.',
  });
}
