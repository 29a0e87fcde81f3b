import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OsKeychainBackend, keychainServiceFor } from '../../electron/core/keychain/secretBackend';
import { VaultStore } from '../../electron/core/keychain/vaultStore';
import { createSandbox, parseCredentialDocument, type RunResult, type Sandbox } from './harness';

/** `keytray rotate` against the emulator's IAM, with the real keychain of run-with-keyring.sh. */
describe('keytray rotate', () => {
  let sb: Sandbox;
  // The sandbox's own vault: KEYTRAY_HOME keeps its keychain items apart from other test files'.
  let store: VaultStore;
  let alice: string, carol: string, dave: string;
  let device: { serial: string; unusedCode(): string };
  const secrets: string[] = [];
  const original: Record<string, string> = {};

  before(async () => {
    sb = await createSandbox();
    store = new VaultStore(new OsKeychainBackend(keychainServiceFor(sb.env)));
    alice = sb.name('alice');
    carol = sb.name('carol');
    dave = sb.name('dave');
    const users = { [alice]: sb.emu.createUser(alice), [carol]: sb.emu.createUser(carol), [dave]: sb.emu.createUser(dave) };
    device = sb.emu.enableMfa(alice);
    sb.writeConfig(`[profile ${alice}]\nmfa_serial = ${device.serial}\n\n[profile ${carol}]\n\n[profile ${dave}]\n`);
    for (const [profile, user] of Object.entries(users)) {
      original[profile] = user.accessKeyId;
      secrets.push(user.secretAccessKey);
      const add = await sb.keytray(['add', profile, '--env'], { env: { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey } });
      assert.equal(add.code, 0, add.stderr);
    }
  });

  after(async () => {
    for (const p of [alice, carol, dave]) await sb.keytray(['remove', p, '--yes']);
    await sb.close();
  });

  function assertOneLine(r: RunResult, pattern: RegExp): void {
    assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], pattern);
    for (const s of [...secrets, ...Object.values(original)]) assert.ok(!r.stderr.includes(s), 'no secret or full key ID in the message');
  }

  test('with MFA: exactly one key remains at AWS, a new one, stored in the keychain; credential-process keeps working', async () => {
    const callsBefore = sb.emu.calls.length;
    const r = await sb.keytray(['rotate', alice, '--mfa-code', device.unusedCode()]);
    assert.equal(r.code, 0, r.stderr);
    const keys = sb.emu.accessKeysOf(alice);
    assert.equal(keys.length, 1);
    assert.notEqual(keys[0], original[alice]);
    const stored = store.getLongTermKey(alice)!;
    assert.equal(stored.accessKeyId, keys[0]);
    secrets.push(stored.secretAccessKey);
    assert.match(r.stdout, new RegExp(`Rotated the access key of profile "${alice}".*\\*+${keys[0].slice(-4)} is stored in the keychain and works; \\*+${original[alice].slice(-4)} is deleted`));
    assert.ok(!r.stdout.includes(keys[0]) && !r.stdout.includes(stored.secretAccessKey));
    // IAM was called with the MFA session: GetSessionToken then CreateAccessKey as that session.
    assert.equal(sb.emu.count('CreateAccessKey', true), 1);
    const rotation = sb.emu.calls.slice(callsBefore).filter((c) => c.ok).map((c) => c.action);
    assert.ok(rotation.indexOf('GetSessionToken') >= 0 && rotation.indexOf('GetSessionToken') < rotation.indexOf('CreateAccessKey'), rotation.join());

    // The MFA session made from the old key was cleared, so a new code is needed, and it works.
    const noCode = await sb.keytray(['credential-process', alice]);
    assert.equal(noCode.code, 1, 'no session left to serve without a code');
    assert.match(noCode.stderr, /MFA/);
    const cp = await sb.keytray(['credential-process', alice, '--mfa-code', device.unusedCode()]);
    assert.equal(cp.code, 0, cp.stderr);
    assert.match(parseCredentialDocument(cp.stdout).AccessKeyId, /^ASIA/);
  });

  test('a fault after CreateAccessKey leaves the old, working key and a clear message', async () => {
    sb.emu.inject({ kind: 'server-error', action: 'GetCallerIdentity', times: 20 });
    const r = await sb.keytray(['rotate', carol]);
    sb.emu.clearFaults();
    assertOneLine(r, new RegExp(`^keytray: Key rotation stopped: the new key \\*+\\w{4} did not work: .*The old key \\*+${original[carol].slice(-4)} is still the profile's key.*profile "${carol}"`));
    assert.deepEqual(sb.emu.accessKeysOf(carol), [original[carol]], 'the new key was deleted at AWS');
    assert.equal(store.getLongTermKey(carol)!.accessKeyId, original[carol]);
    const cp = await sb.keytray(['credential-process', carol]);
    assert.equal(cp.code, 0, cp.stderr);
  });

  test('a failure deleting the old key keeps the new one and says how to finish; then the limit message names the leftover', async () => {
    sb.emu.inject({ kind: 'server-error', action: 'DeleteAccessKey', times: 20 });
    const r = await sb.keytray(['rotate', carol]);
    sb.emu.clearFaults();
    const old4 = original[carol].slice(-4);
    assertOneLine(r, new RegExp(`now uses the new key \\*+\\w{4}, but the old key \\*+${old4} is still active at AWS.*Delete the key ending in ${old4} of IAM user ${carol}`));
    const keys = sb.emu.accessKeysOf(carol);
    assert.equal(keys.length, 2);
    const stored = store.getLongTermKey(carol)!;
    assert.notEqual(stored.accessKeyId, original[carol]);
    assert.ok(keys.includes(stored.accessKeyId));
    secrets.push(stored.secretAccessKey);
    const cp = await sb.keytray(['credential-process', carol]);
    assert.equal(cp.code, 0, cp.stderr);

    const again = await sb.keytray(['rotate', carol]);
    assertOneLine(again, new RegExp(`already has 2 access keys.*delete the unused one: \\*+${old4} \\(active`));
  });

  test('two existing keys give the limit message and change nothing', async () => {
    sb.emu.createAccessKey(dave);
    const before = sb.emu.accessKeysOf(dave);
    const r = await sb.keytray(['rotate', dave]);
    assertOneLine(r, new RegExp(`^keytray: The IAM user already has 2 access keys.*profile "${dave}".*This profile uses \\*+${original[dave].slice(-4)}; delete the unused one`));
    assert.deepEqual(sb.emu.accessKeysOf(dave), before);
    assert.equal(store.getLongTermKey(dave)!.accessKeyId, original[dave]);
  });
});
