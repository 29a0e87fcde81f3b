import * as fs from 'node:fs';
import * as path from 'node:path';
import { oneLine } from '../core/errors';
import { redactSecrets } from '../ipc/ipcDoor';

export const LOG_FILE_NAME = 'keytray.log';
export const LOG_MAX_BYTES = 1024 * 1024;

export function appLogFile(dataDir: string): string {
  return path.join(dataDir, LOG_FILE_NAME);
}

/**
 * The desktop app's log: a packaged app has no terminal, so why it could not start, what it refused
 * and what failed in the background go here. One line per entry, time-stamped, secrets cut out as
 * in IPC errors, readable by the user only. When it would pass 1 MiB it is renamed to
 * `keytray.log.1` (replacing the previous one), so two files at most are ever kept.
 */
export class AppLogFile {
  constructor(
    readonly file: string,
    private readonly maxBytes = LOG_MAX_BYTES,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Appends a line; returns false when it could not be written. Logging never throws. */
  write(line: string): boolean {
    const entry = `${this.now().toISOString()} ${redactSecrets(oneLine(line))}\n`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      if (sizeOf(this.file) + Buffer.byteLength(entry) > this.maxBytes) fs.renameSync(this.file, `${this.file}.1`);
      fs.appendFileSync(this.file, entry, { mode: 0o600 });
      return true;
    } catch {
      return false;
    }
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
