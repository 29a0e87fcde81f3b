import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isKeytrayError, KeytrayError, type SerializedError } from '../errors';
import { systemClock, type Clock } from '../types';
import { ensurePrivateDirectory } from '../privateDirectory';

/**
 * Single flight across processes: terraform and `xargs -P` start many `aws` processes at once, each
 * running credential_process. One of them takes the profile's lock file and talks to STS; the others
 * wait, then find the fresh session in the cache.
 *
 * The lock is a file created with O_EXCL that holds the owner's pid, start time and a nonce. A lock
 * whose owner is gone (a helper killed mid-flight) or that is older than MAX_AGE_MS is taken over, so
 * a crash never needs manual cleanup; an owner removes the file only while it still holds its own lock.
 *
 * A flight that fails because AWS could not be reached (or kept throttling) is shared with those who
 * waited for it: each waiter would otherwise try in turn, and with an endpoint that never answers
 * the tenth of ten parallel `aws` calls would give its line after ten timeouts instead of one.
 */
export interface ProfileLock {
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export class FileProfileLock implements ProfileLock {
  private static readonly POLL_MS = 20;
  /** Past this age a lock is presumed stuck even if its pid is alive (pid reuse, a hung STS call). */
  private static readonly MAX_AGE_MS = 10 * 60 * 1000;

  constructor(
    private readonly dir: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const file = this.fileFor(key);
    const waitingSince = this.clock.now();
    const mine = await this.acquire(file);
    const failedMeanwhile = failureSince(file, waitingSince);
    if (failedMeanwhile) {
      removeIfHolds(file, mine);
      throw failedMeanwhile;
    }
    try {
      const result = await fn();
      fs.rmSync(failureFile(file), { force: true });
      return result;
    } catch (err) {
      if (isKeytrayError(err) && err.code === 'sts-unavailable') recordFailure(file, err.toJSON(), this.clock.now());
      throw err;
    } finally {
      // A holder that outlived MAX_AGE_MS has been taken over: the file is the new owner's by now.
      removeIfHolds(file, mine);
    }
  }

  private fileFor(key: string): string {
    return path.join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.lock`);
  }

  /** Returns what it wrote into the lock file, which tells its own lock from a later owner's. */
  private async acquire(file: string): Promise<string> {
    ensurePrivateDirectory(this.dir);
    for (;;) {
      // Stamped at each attempt: the wait may have been long, and the stamp is what others judge age by.
      const mine = `${process.pid} ${this.clock.now()} ${randomBytes(8).toString('hex')}`;
      try {
        const fd = fs.openSync(file, 'wx', 0o600);
        fs.writeSync(fd, mine);
        fs.closeSync(fd);
        return mine;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const stale = this.staleContent(file);
      if (stale !== null) {
        // Only the lock judged stale is removed, not one another waiter created after recovering it.
        removeIfHolds(file, stale);
        continue;
      }
      await new Promise((r) => setTimeout(r, FileProfileLock.POLL_MS));
    }
  }

  /** The lock file's content when its owner is gone or stuck, else null. */
  private staleContent(file: string): string | null {
    let content: string;
    let mtimeMs: number;
    try {
      content = fs.readFileSync(file, 'utf8');
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch {
      return null; // released meanwhile; the next open will tell
    }
    const [pidText, startedText] = content.split(' ');
    const pid = Number(pidText);
    // An empty file is a writer between open and write; give it a moment before judging (file times are wall-clock).
    if (!pid) return Date.now() - mtimeMs > 2000 ? content : null;
    const started = Number(startedText) || mtimeMs;
    if (this.clock.now() - started > FileProfileLock.MAX_AGE_MS) return content;
    return isProcessAlive(pid) ? null : content;
  }
}

function failureFile(lockFile: string): string {
  return `${lockFile}.failed`;
}

/** The failure recorded by a flight that ended after `since`, i.e. the one this caller waited for. */
function failureSince(lockFile: string, since: number): KeytrayError | null {
  const text = readOrNull(failureFile(lockFile));
  if (text === null) return null;
  try {
    const { at, error } = JSON.parse(text) as { at: number; error: SerializedError };
    return at >= since ? KeytrayError.fromJSON(error) : null;
  } catch {
    return null;
  }
}

/** Error lines name endpoints and profiles, never secrets, so they may sit in the private lock directory. */
function recordFailure(lockFile: string, error: SerializedError, at: number): void {
  try {
    const tmp = `${failureFile(lockFile)}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, JSON.stringify({ at, error }), { mode: 0o600 });
    fs.renameSync(tmp, failureFile(lockFile));
  } catch {
    // Sharing the failure saves waiters time; the failure itself is already on its way to the user.
  }
}

/**
 * Deletes a lock file only while it holds `expected`. Reading and then unlinking would delete a lock
 * created in between, so the file is first renamed aside (atomic: what is checked there is exactly
 * what gets deleted). If it turns out to be someone else's, it is linked back, which cannot replace
 * a lock created in that instant; should one have been, the newer lock stands and the displaced
 * owner finishes alongside it: one extra STS call at worst.
 */
function removeIfHolds(file: string, expected: string): void {
  if (readOrNull(file) !== expected) return; // gone, or someone else's: the common case costs no rename
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.aside`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // removed meanwhile
  }
  if (readOrNull(aside) !== expected) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A newer lock took the name meanwhile; it stands.
    }
  }
  fs.rmSync(aside, { force: true });
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
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
