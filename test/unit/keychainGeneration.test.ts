import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { GenerationBumpingBackend, KeychainGeneration, MemoryCachedBackend } from '../../electron/core/keychain/keychainGeneration';
import type { SecretBackend } from '../../electron/core/keychain/secretBackend';

/** A store that counts round trips: the agent's memory exists to avoid them. */
class CountingStore implements SecretBackend {
  readonly items = new Map<string, string>();
  gets = 0;
  get = (a: string) => (this.gets++, this.items.get(a) ?? null);
  set = (a: string, v: string) => void this.items.set(a, v);
  delete = (a: string) => this.items.delete(a);
  list = () => [...this.items].map(([account, value]) => ({ account, value }));
}

describe("the agent's memory of the keychain", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-gen-'));
  const generation = new KeychainGeneration(path.join(dir, 'keychain-generation'));

  test('serves repeated reads from memory, including "not there"', () => {
    const store = new CountingStore();
    store.items.set('session:a', 'one');
    const agent = new MemoryCachedBackend(store, generation);
    for (let i = 0; i < 5; i++) assert.equal(agent.get('session:a'), 'one');
    for (let i = 0; i < 5; i++) assert.equal(agent.get('session:b'), null);
    assert.equal(store.gets, 2);
  });

  test("its own writes keep its memory; another process's write (keytray clear) drops it", () => {
    const store = new CountingStore();
    const agent = new MemoryCachedBackend(store, generation);
    agent.set('session:a', 'mine');
    assert.equal(agent.get('session:a'), 'mine');
    assert.equal(store.gets, 0, 'its own write needs no re-read');

    // The CLI, in another process, clears the session through the same store.
    const cli = new GenerationBumpingBackend(store, new KeychainGeneration(path.join(dir, 'keychain-generation')));
    cli.delete('session:a');
    assert.equal(agent.get('session:a'), null, 'the cleared session is not served from memory');
    assert.equal(store.gets, 1);
  });

  test("the agent's own write does not hide another process's earlier write", () => {
    const store = new CountingStore();
    store.items.set('session:a', 'old');
    const agent = new MemoryCachedBackend(store, generation);
    assert.equal(agent.get('session:a'), 'old');

    // The CLI, in another process, replaces session:a; then the agent refreshes another profile.
    const cli = new GenerationBumpingBackend(store, new KeychainGeneration(path.join(dir, 'keychain-generation')));
    cli.set('session:a', 'new');
    agent.set('session:b', 'refreshed');
    assert.equal(agent.get('session:a'), 'new', 'the replaced session is read again, not served from memory');
    assert.equal(store.gets, 2);
    assert.equal(agent.get('session:b'), 'refreshed');

    // The same for a delete on both sides (`keytray remove` while the agent drops a session).
    cli.delete('session:a');
    agent.delete('session:b');
    assert.equal(agent.get('session:a'), null, 'the removed session is not served from memory');
    assert.equal(agent.get('session:b'), null);
  });

  test('forget() (lock, sleep) empties the memory', () => {
    const store = new CountingStore();
    store.items.set('key:a', 'k');
    const agent = new MemoryCachedBackend(store, generation);
    agent.get('key:a');
    agent.forget();
    agent.get('key:a');
    assert.equal(store.gets, 2);
  });
});
