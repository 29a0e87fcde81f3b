import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GenerationBumpingBackend, KeychainGeneration } from '../../electron/core/keychain/keychainGeneration';
import { OsKeychainBackend, type SecretBackend } from '../../electron/core/keychain/secretBackend';
import { OsAsyncKeychain, SnapshotKeychainBackend, type AsyncKeychain } from '../../electron/core/keychain/snapshotKeychainBackend';

/**
 * The desktop app's keychain, against the real Secret Service of the test keyring: after one
 * asynchronous read, the app's reads cost no keychain call on its main thread; its writes land in
 * the keychain (where the CLI finds them) by the time `settled()` resolves; another process's
 * write is seen on the next read; a write that fails is reported, not lost.
 */
describe('SnapshotKeychainBackend', () => {
  const service = `keytray-snapshot-test-${process.pid}`;
  let dir: string;
  let generation: KeychainGeneration;
  const os_ = () => new OsKeychainBackend(service);

  /** The real keychains, counting the calls made to them. */
  function counted() {
    const calls = { blocking: 0, async: 0 };
    const blockingReal = os_();
    const blocking: Pick<SecretBackend, 'list'> = {
      list: () => {
        calls.blocking++;
        return blockingReal.list();
      },
    };
    const asyncReal = new OsAsyncKeychain(service);
    const asyncKeychain: AsyncKeychain = {
      list: () => (calls.async++, asyncReal.list()),
      set: (a, v) => (calls.async++, asyncReal.set(a, v)),
      delete: (a) => (calls.async++, asyncReal.delete(a)),
    };
    return { calls, blocking, asyncKeychain };
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-snapshot-'));
    generation = new KeychainGeneration(path.join(dir, 'keychain-generation'));
  });
  after(() => {
    const real = os_();
    for (const { account } of real.list()) real.delete(account);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers reads from one asynchronous load, with no keychain call per read', async () => {
    const cli = new GenerationBumpingBackend(os_(), generation);
    cli.set('session:alpha', '{"a":1}');
    cli.set('key:alpha', '{"k":1}');
    const { calls, blocking, asyncKeychain } = counted();
    const snapshot = new SnapshotKeychainBackend(asyncKeychain, blocking, generation);
    await snapshot.reload();
    assert.deepEqual(calls, { blocking: 0, async: 1 });
    for (let i = 0; i < 50; i++) {
      assert.equal(snapshot.get('session:alpha'), '{"a":1}');
      assert.equal(snapshot.get('session:missing'), null);
      assert.equal(snapshot.list().length, 2);
    }
    assert.deepEqual(calls, { blocking: 0, async: 1 });
  });

  it('writes reach the keychain, in order, by the time settled() resolves, and other processes hear of them', async () => {
    const { calls, blocking, asyncKeychain } = counted();
    const snapshot = new SnapshotKeychainBackend(asyncKeychain, blocking, generation);
    await snapshot.reload();
    const before = generation.read();
    snapshot.set('session:beta', 'first');
    snapshot.set('session:beta', 'second');
    assert.equal(snapshot.delete('session:alpha'), true);
    // The app sees its own writes at once.
    assert.equal(snapshot.get('session:beta'), 'second');
    assert.equal(snapshot.get('session:alpha'), null);
    await snapshot.settled();
    // As the CLI reads the keychain: the last write won, the delete happened.
    assert.equal(os_().get('session:beta'), 'second');
    assert.equal(os_().get('session:alpha'), null);
    assert.notEqual(generation.read(), before, 'the generation marker moved for headless agents');
    // Its own bump does not make the snapshot think someone else wrote.
    assert.equal(snapshot.isStale(), false);
    assert.equal(calls.blocking, 0);
  });

  it('sees what another process wrote on the next read, even before it reloads', async () => {
    const { calls, blocking, asyncKeychain } = counted();
    const snapshot = new SnapshotKeychainBackend(asyncKeychain, blocking, generation);
    await snapshot.reload();
    assert.equal(snapshot.get('session:beta'), 'second');
    // `keytray clear` in another process.
    new GenerationBumpingBackend(os_(), generation).delete('session:beta');
    assert.equal(snapshot.isStale(), true);
    assert.equal(snapshot.get('session:beta'), null, 'a cleared session is never served from memory');
    assert.equal(calls.blocking, 1);
    // The app's watcher reloads asynchronously; later reads are from memory again.
    new GenerationBumpingBackend(os_(), generation).set('session:gamma', 'g');
    await snapshot.reload();
    assert.equal(snapshot.get('session:gamma'), 'g');
    assert.equal(calls.blocking, 1);
  });

  it('reports a write the keychain refused, and reads the truth again afterwards', async () => {
    const { blocking } = counted();
    const real = new OsAsyncKeychain(service);
    const failed: unknown[] = [];
    // A keychain that refuses writes (a locked login keychain) cannot be had here on demand.
    const refusing: AsyncKeychain = { list: () => real.list(), set: () => Promise.reject(new Error('the keyring is locked')), delete: (a) => real.delete(a) };
    const snapshot = new SnapshotKeychainBackend(refusing, blocking, generation, (err) => failed.push(err));
    await snapshot.reload();
    snapshot.set('key:delta', 'never stored');
    assert.equal(snapshot.get('key:delta'), 'never stored');
    await assert.rejects(snapshot.settled(), /The OS keychain is unavailable or locked \(the keyring is locked\)/);
    assert.equal(failed.length, 1);
    assert.equal(snapshot.get('key:delta'), null, 'the snapshot no longer claims what the keychain does not hold');
    // The failure is reported once.
    await snapshot.settled();
  });
});
