import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a small file whole: beside it first, synced, then renamed over it, so a reader (another
 * Keytray process, the AWS CLI running a launcher) sees the old content or the new, never half of
 * either, and a crash or power cut never leaves it truncated. The temporary name is unique per
 * process and call, so two processes replacing the same file never write into each other's
 * temporary file.
 * Config files have their own writer (config/configFileWriter.ts), which also locks them and guards
 * against edits made since they were read.
 */
let replacements = 0;

export function replaceFile(file: string, text: string, mode = 0o600): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++replacements}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}
