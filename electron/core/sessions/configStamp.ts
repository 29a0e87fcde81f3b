import { statSync } from 'node:fs';

/**
 * When the config file was last seen unchanged for a session: its mtime and size. The fast path
 * compares this with one stat() instead of parsing the config on every `aws` call; when they differ
 * the full path checks the definition and, if the session still fits, stamps it again.
 */
export function configStampOf(fingerprint: { mtimeMs: number; size: number; exists: boolean }): string {
  return fingerprint.exists ? `${fingerprint.mtimeMs}:${fingerprint.size}` : 'missing';
}

export function configStampOnDisk(configFile: string): string {
  try {
    const st = statSync(configFile);
    return configStampOf({ ...st, exists: true });
  } catch {
    return 'missing';
  }
}
