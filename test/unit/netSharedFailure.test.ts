import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { KeytrayError } from '../../electron/core/errors';
import { FileProfileLock } from '../../electron/core/sessions/profileLock';

/**
 * With an endpoint that never answers, parallel callers of one profile used to take turns at the
 * lock and each wait out the whole network budget: the tenth gave its line after ten timeouts. A
 * flight that fails because AWS could not be reached is now shared with those who waited for it.
 */
describe('a failed flight is shared with its waiters', () => {
  const unreachable = () => new KeytrayError('sts-unavailable', 'STS at http://127.0.0.1:9 did not answer GetSessionToken within 16 s', { profile: 'alice', hint: 'Check your network and VPN.' });

  function lockDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-lock-'));
  }

  it('hands the waiters the same line without running their flight, and lets a later caller try again', async () => {
    const dir = lockDir();
    const owner = new FileProfileLock(dir);
    const waiter = new FileProfileLock(dir);
    let waiterRan = false;
    const first = owner.withLock('session:alice', async () => {
      await new Promise((r) => setTimeout(r, 300));
      throw unreachable();
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = waiter.withLock('session:alice', async () => {
      waiterRan = true;
      return 'fresh';
    });
    await assert.rejects(first, { code: 'sts-unavailable' });
    const shared = await second.then(
      () => null,
      (e: unknown) => e as KeytrayError,
    );
    assert.ok(shared, 'the waiter got the failure');
    assert.equal(shared.toLine(), unreachable().toLine());
    assert.equal(waiterRan, false, 'no second wait on the same dead endpoint');

    // A caller that starts after the failure tries for itself, and its success clears the record.
    assert.equal(await waiter.withLock('session:alice', async () => 'fresh'), 'fresh');
    assert.deepEqual(fs.readdirSync(dir), [], 'no lock and no failure record left');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('does not share other failures: a wrong MFA code is the caller\'s own', async () => {
    const dir = lockDir();
    const lock = new FileProfileLock(dir);
    let ran = 0;
    const first = lock.withLock('session:bob', async () => {
      await new Promise((r) => setTimeout(r, 200));
      throw new KeytrayError('mfa-invalid', 'STS rejected the MFA code');
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = new FileProfileLock(dir).withLock('session:bob', async () => ++ran);
    await assert.rejects(first, { code: 'mfa-invalid' });
    assert.equal(await second, 1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
