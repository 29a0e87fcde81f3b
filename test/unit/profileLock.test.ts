import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { FileProfileLock } from '../../electron/core/sessions/profileLock';

/**
 * The lock that makes a burst of `aws` processes share one STS call. Each FileProfileLock here stands
 * for one process; they share the lock directory as processes would, and their clocks say when each
 * one looks at it.
 */
describe('the cross-process profile lock', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-lock-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Enters the lock as a credential request would: `holding` settles once inside; `release` ends its flight. */
  function hold(lock: FileProfileLock, key: string) {
    let entered!: () => void;
    let release!: () => void;
    const holding = new Promise<void>((r) => (entered = r));
    const done = lock.withLock(key, () => {
      entered();
      return new Promise<void>((r) => (release = r));
    });
    return { holding, done, release: () => release() };
  }

  const lockFiles = () => fs.readdirSync(dir).filter((f) => f.endsWith('.lock'));
  const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('a second caller waits for the holder, and nothing is left behind', async () => {
    const a = hold(new FileProfileLock(dir), 'session:eve');
    await a.holding;
    let bIn = false;
    const b = hold(new FileProfileLock(dir), 'session:eve');
    void b.holding.then(() => (bIn = true));
    await tick(100);
    assert.equal(bIn, false, 'B waits while A holds the lock');
    a.release();
    await a.done;
    await b.holding;
    b.release();
    await b.done;
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test("a holder that outlives the age limit, taken over, leaves the new owner's lock in place", async () => {
    const start = Date.now();
    const a = hold(new FileProfileLock(dir, { now: () => start }), 'session:admin');
    await a.holding;
    const [file] = lockFiles();
    assert.ok(file, 'A holds a lock file');

    // Eleven minutes on, B finds A's lock past the 10-minute limit and takes it over.
    const later = { now: () => start + 11 * 60_000 };
    const b = hold(new FileProfileLock(dir, later), 'session:admin');
    await b.holding;
    const bContent = fs.readFileSync(path.join(dir, file), 'utf8');

    // A's hung STS call finally returns.
    a.release();
    await a.done;
    assert.deepEqual(lockFiles(), [file]);
    assert.equal(fs.readFileSync(path.join(dir, file), 'utf8'), bContent, "B's lock file is still there");

    // So C still waits for B instead of running a second flight beside it.
    let cIn = false;
    const c = hold(new FileProfileLock(dir, later), 'session:admin');
    void c.holding.then(() => (cIn = true));
    await tick(100);
    assert.equal(cIn, false, 'C waits while B holds the lock');
    b.release();
    await b.done;
    await c.holding;
    c.release();
    await c.done;
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
