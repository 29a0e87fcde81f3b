import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes a small file whole: beside it first, then renamed over it, so a reader (another Keytray
 * process, the AWS CLI running a launcher) sees the old content or the new, never half of either.
 * Config files have their own writer (config/configFileWriter.ts), which also guards against edits
 * made since they were read.
 */
export function replaceFile(file: string, text: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, file);
}
