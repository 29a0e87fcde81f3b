import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Single flight across processes: terraform and `xargs -P` start many `aws` processes at once, each
 * running credential_process. One of them takes the profile's lock file and talks to STS; the others
 * wait, then find the fresh session in the cache.
 *
 * The lock is a file created with O_EXCL that holds the owner's pid. A lock whose owner is gone (a
 * helper killed mid-flight) is taken over, so a crash never needs manual cleanup.
 */
export interface ProfileLock {
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export class FileProfileLock implements ProfileLock {
  private static readonly POLL_MS = 20;
  /** Past this age a lock is presumed stuck even if its pid is alive (pid reuse, a hung STS call). */
  private static readonly MAX_AGE_MS = 10 * 60 * 1000;

  constructor(private readonly dir: string) {}

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const file = this.fileFor(key);
    await this.acquire(file);
    try {
      return await fn();
    } finally {
      try {
        fs.unlinkSync(file);
      } catch {
        // Already taken over as stale; nothing to release.
      }
    }
  }

  private fileFor(key: string): string {
    return path.join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.lock`);
  }

  private async acquire(file: string): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (;;) {
      try {
        const fd = fs.openSync(file, 'wx', 0o600);
        fs.writeSync(fd, `${process.pid} ${Date.now()}`);
        fs.closeSync(fd);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (this.isStale(file)) {
        // Rename first so two waiters cannot both delete and both create.
        const grave = `${file}.${process.pid}.stale`;
        try {
          fs.renameSync(file, grave);
          fs.unlinkSync(grave);
        } catch {
          // Someone else recovered it first.
        }
        continue;
      }
      await new Promise((r) => setTimeout(r, FileProfileLock.POLL_MS));
    }
  }

  private isStale(file: string): boolean {
    let content: string;
    let mtimeMs: number;
    try {
      content = fs.readFileSync(file, 'utf8');
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch {
      return false; // released meanwhile; the next open will tell
    }
    const [pidText, startedText] = content.split(' ');
    const pid = Number(pidText);
    const started = Number(startedText) || mtimeMs;
    // An empty file is a writer between open and write; give it a moment before judging.
    if (!pid) return Date.now() - mtimeMs > 2000;
    if (Date.now() - started > FileProfileLock.MAX_AGE_MS) return true;
    return !isProcessAlive(pid);
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
