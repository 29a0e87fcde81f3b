import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { keychainAccessFor, type KeytrayBinary } from '../../electron/cli/keychainAccessPolicy';
import { loadKeyringBesideBinary } from '../../electron/cli/keyringBesideBinary';
import { KeytrayError } from '../../electron/core/errors';
import { KEYRING_ADDON_FILE } from '../../electron/core/install/cliBinaryLayout';
import { prebuiltBindingPackage } from '../../electron/core/keychain/secretBackend';

const REPO = path.resolve(__dirname, '..', '..', '..');

/**
 * Which binary opens the OS keychain, for each platform's configuration, run here under Node. On
 * macOS and Windows the keychain trusts binaries one by one, and the CLI binary honours
 * NODE_OPTIONS=--require, so only the app may open it there.
 */
describe('which binary opens the keychain', () => {
  const binaries: KeytrayBinary[] = ['app', 'cli-binary', 'checkout'];
  const opener = (platform: NodeJS.Platform) => binaries.filter((b) => keychainAccessFor(platform, b).opensKeychain);

  test('macOS: only the app (and a developer’s own checkout); the CLI binary asks the agent, then the app', () => {
    assert.deepEqual(opener('darwin'), ['app', 'checkout']);
    assert.deepEqual(keychainAccessFor('darwin', 'cli-binary').otherwise, ['agent', 'app']);
  });

  test('Windows: the same as macOS', () => {
    assert.deepEqual(opener('win32'), ['app', 'checkout']);
    assert.deepEqual(keychainAccessFor('win32', 'cli-binary').otherwise, ['agent', 'app']);
  });

  test('Linux: the Secret Service has no per-binary trust, so the CLI binary reads it itself', () => {
    assert.deepEqual(opener('linux'), ['app', 'cli-binary', 'checkout']);
    assert.equal(keychainAccessFor('linux', 'cli-binary').otherwise, null);
  });

  test('a platform Keytray does not ship for gets the cautious answer', () => {
    assert.equal(keychainAccessFor('freebsd', 'cli-binary').opensKeychain, false);
  });
});

describe("the CLI binary's keyring loader", () => {
  /** A folder laid out like an installed CLI binary: a stand-in executable and the real binding beside it. */
  function installedBinary(withAddon: boolean): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-cli-binary-'));
    const exe = path.join(dir, 'keytray');
    fs.writeFileSync(exe, '');
    const pkg = prebuiltBindingPackage(process.platform, process.arch);
    if (withAddon && pkg) fs.copyFileSync(require.resolve(pkg, { paths: [REPO] }), path.join(dir, KEYRING_ADDON_FILE));
    return exe;
  }

  for (const platform of ['darwin', 'win32'] as const) {
    test(`refuses on ${platform} before any binding is loaded, even with one beside it`, () => {
      const exe = installedBinary(true);
      const loaded: string[] = [];
      const dlopen = process.dlopen;
      process.dlopen = ((module: unknown, file: string, ...rest: unknown[]) => {
        loaded.push(file);
        return (dlopen as (...a: unknown[]) => void)(module, file, ...rest);
      }) as typeof process.dlopen;
      try {
        assert.throws(
          () => loadKeyringBesideBinary(exe, platform),
          (e: unknown) => e instanceof KeytrayError && e.code === 'keychain-unavailable' && /never opens the keychain itself.*through the Keytray app/.test(e.toLine()),
        );
      } finally {
        process.dlopen = dlopen;
      }
      assert.deepEqual(loaded, [], 'no native module was opened');
    });
  }

  test('on Linux loads the binding shipped beside the binary', { skip: process.platform !== 'linux' && 'needs the Linux binding' }, () => {
    const keyring = loadKeyringBesideBinary(installedBinary(true), 'linux');
    assert.equal(typeof keyring.Entry, 'function');
    assert.equal(typeof keyring.findCredentials, 'function');
  });

  test('on Linux without the binding says which file is missing and how to fix it, in one line', () => {
    const exe = installedBinary(false);
    assert.throws(
      () => loadKeyringBesideBinary(exe, 'linux'),
      (e: unknown) =>
        e instanceof KeytrayError && e.toLine().includes(path.join(path.dirname(exe), KEYRING_ADDON_FILE)) && /Reinstall Keytray/.test(e.toLine()) && !e.toLine().includes('\n'),
    );
  });
});
