import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeytrayError } from '../errors';

/**
 * One cross-process lock per edited file, so that Keytray's writers of ~/.aws/config (the CLI's
 * setup/add/import, the app's forms and toggles, SSO populate) take turns: each re-reads the file
 * under the lock and applies its edit to what is on disk now, so no edit is lost and none is
 * refused only because another Keytray process wrote first.
 *
 * The lock is `.<name>.keytray-lock` beside the file (the directory every writer can reach, whatever
 * its KEYTRAY_HOME), created with O_EXCL and holding the owner's pid, the time and a nonce. A lock
 * whose owner has exited, or that is older than STALE_AFTER_MS (an edit takes milliseconds), is
 * taken over, so a killed process never needs manual cleanup.
 *
 * It is synchronous on purpose: an edit is read, change and write of a small file, the lock is
 * held for milliseconds, and the callers (commander actions, IPC handlers) stay plain functions.
 * A wait sleeps with Atomics.wait instead of spinning, and ends after WAIT_LIMIT_MS with a message.
 */
const POLL_MS = 10;
const WAIT_LIMIT_MS = 10_000;
const STALE_AFTER_MS = 30_000;

/** Files this process holds a lock on: a nested edit of the same file would wait for itself. */
const heldHere = new Set<string>();

export function withFileEditLock<T>(file: string, fn: () => T, limits: { waitLimitMs?: number } = {}): T {
  const lockFile = lockFileFor(file);
  if (heldHere.has(lockFile)) throw new Error(`nested edit of ${file}: finish the first edit before starting another`);
  const mine = acquire(file, lockFile, limits.waitLimitMs ?? WAIT_LIMIT_MS);
  heldHere.add(lockFile);
  try {
    return fn();
  } finally {
    heldHere.delete(lockFile);
    removeIfHolds(lockFile, mine);
  }
}

/** The lock file for an already resolved (symlink-free) path: `~/.aws/.config.keytray-lock`. */
export function lockFileFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.keytray-lock`);
}

function acquire(file: string, lockFile: string, waitLimitMs: number): string {
  try {
    fs.mkdirSync(path.dirname(lockFile), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new KeytrayError('io', `Cannot create ${path.dirname(lockFile)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      hint: 'Check that you own the directory.',
    });
  }
  const deadline = Date.now() + waitLimitMs;
  for (;;) {
    const mine = `${process.pid} ${Date.now()} ${randomBytes(8).toString('hex')}`;
    try {
      const fd = fs.openSync(lockFile, 'wx', 0o600);
      try {
        fs.writeSync(fd, mine);
      } finally {
        fs.closeSync(fd);
      }
      return mine;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new KeytrayError('io', `Cannot lock ${file} for editing: ${code ?? String(err)}`, {
          hint: `Check that you may write to ${path.dirname(lockFile)}.`,
        });
      }
    }
    const held = readLock(lockFile);
    if (held && isStale(held)) {
      // Only the lock judged stale is removed, never one that another waiter created after it.
      removeIfHolds(lockFile, held.content);
      // Retry at once, unless it could not be removed (another user's file): then wait, and give up in time.
      if (readLock(lockFile)?.content !== held.content) continue;
    }
    if (Date.now() >= deadline) {
      const owner = held?.pid ? ` by Keytray process ${held.pid}` : '';
      throw new KeytrayError('config-locked', `${file} is being edited${owner}; gave up waiting after ${waitLimitMs / 1000} s`, {
        hint: `Nothing was written; run the command again. If no Keytray is running, delete ${lockFile}.`,
      });
    }
    sleep(POLL_MS);
  }
}

interface HeldLock {
  content: string;
  pid: number;
  since: number;
}

function readLock(lockFile: string): HeldLock | undefined {
  let content: string;
  let mtimeMs: number;
  try {
    content = fs.readFileSync(lockFile, 'utf8');
    mtimeMs = fs.statSync(lockFile).mtimeMs;
  } catch {
    return undefined; // released meanwhile; the next open will tell
  }
  const [pidText, sinceText] = content.split(' ');
  return { content, pid: Number(pidText) || 0, since: Number(sinceText) || mtimeMs };
}

function isStale(lock: HeldLock): boolean {
  // An empty file is a writer between its open and its write: judged by age alone.
  if (Date.now() - lock.since > STALE_AFTER_MS) return true;
  return lock.pid > 0 && !isProcessAlive(lock.pid);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the lock file only while it holds `expected`: it is renamed aside first (atomic), checked
 * there, and linked back if it turned out to be a newer owner's.
 */
function removeIfHolds(lockFile: string, expected: string): void {
  if (readOrNull(lockFile) !== expected) return;
  const aside = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}.aside`;
  try {
    fs.renameSync(lockFile, aside);
  } catch {
    return; // removed meanwhile
  }
  if (readOrNull(aside) !== expected) {
    try {
      fs.linkSync(aside, lockFile);
    } catch {
      // a newer lock took the name meanwhile; it stands
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

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
