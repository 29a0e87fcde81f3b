import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keychainServiceFor } from '../../electron/core/keychain/secretBackend';

describe('the keychain service name', () => {
  test('is plain without KEYTRAY_HOME, and names the data directory with one', () => {
    assert.equal(keychainServiceFor({ HOME: '/home/ana' }), 'keytray');
    assert.equal(keychainServiceFor({ HOME: '/home/ana', KEYTRAY_HOME: '/srv/vault' }), 'keytray@/srv/vault');
  });

  test('expands ~ as the data directory does, so the working directory cannot change it', () => {
    const before = process.cwd();
    try {
      const names = ['/', '/tmp'].map((dir) => (process.chdir(dir), keychainServiceFor({ HOME: '/home/ana', KEYTRAY_HOME: '~/vault' })));
      assert.deepEqual(names, ['keytray@/home/ana/vault', 'keytray@/home/ana/vault']);
    } finally {
      process.chdir(before);
    }
  });
});
