import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVault, type Vault } from '../../electron/core/vault';
import { ActivityLog } from '../../electron/desktop/activityLog';
import { ExpiringClipboard } from '../../electron/desktop/clipboardExport';
import { createHandlerTable } from '../../electron/desktop/handlerTable';
import { callHandler, type HandlerTable } from '../../electron/ipc/ipcDoor';
import type { IpcResult, ResponseOf } from '../../electron/ipc/contract';
import type { EmulatorUser } from '../emulator';
import { createSandbox, type Sandbox } from '../integration/harness';

/**
 * The window's Add key form over a stored key, through the same handler table and schemas as
 * Electron's IPC, with the real keychain and the STS emulator: a replacement needs the user's
 * confirmation (a distinct error code the window turns into a dialog), and a key AWS rejects or
 * that belongs to someone else never replaces a working one.
 */
describe('Add key in the window over a stored key', () => {
  let sb: Sandbox;
  let vault: Vault;
  let table: HandlerTable;
  let activity: ActivityLog;
  let profile: string;
  let key: EmulatorUser;
  let second: { accessKeyId: string; secretAccessKey: string };
  let other: EmulatorUser;

  const addUser = async (k: { accessKeyId: string; secretAccessKey: string }, replace?: boolean) =>
    (await callHandler(table, 'profiles.addUser', { profile, accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, ...(replace === undefined ? {} : { replace }), region: 'eu-west-1' })) as IpcResult<
      ResponseOf<'profiles.addUser'>
    >;
  const failure = (r: IpcResult<unknown>) => {
    assert.equal(r.ok, false, JSON.stringify(r));
    return (r as { ok: false; error: { code: string; message: string } }).error;
  };
  const storedId = () => vault.store.getLongTermKey(profile)?.accessKeyId;

  before(async () => {
    sb = await createSandbox();
    profile = sb.name('carol');
    key = sb.emu.createUser(profile);
    second = sb.emu.createAccessKey(profile);
    other = sb.emu.createUser(sb.name('mallory'));
    vault = createVault({ env: sb.env });
    activity = new ActivityLog();
    table = createHandlerTable({
      vault,
      activity,
      clipboard: new ExpiringClipboard({ writeText: async () => undefined, readText: async () => '' }),
      launcherPath: () => '/opt/Keytray/bin/keytray',
    });
    const first = await addUser(key);
    assert.ok(first.ok && first.value.replaced === false, JSON.stringify(first));
  });

  after(async () => {
    vault?.store.deleteLongTermKey(profile);
    await sb?.close();
  });

  it('without replace, a stored key gives key-replace-unconfirmed and nothing changes', async () => {
    const error = failure(await addUser(second));
    assert.equal(error.code, 'key-replace-unconfirmed');
    assert.match(error.message, /already has access key \*+\w{4} stored; nothing was changed/);
    assert.equal(storedId(), key.accessKeyId);
  });

  it('a confirmed replacement with a mistyped secret is refused by AWS, and the old key stays', async () => {
    const error = failure(await addUser({ accessKeyId: second.accessKeyId, secretAccessKey: `${second.secretAccessKey.slice(0, -2)}zz` }, true));
    assert.equal(error.code, 'key-verification-failed');
    assert.match(error.message, /^The new access key \*+\w{4} for profile ".*" failed its check, so the stored key \*+\w{4} was kept: AWS rejected the access key .*SignatureDoesNotMatch/);
    assert.ok(!error.message.includes(second.secretAccessKey.slice(0, 10)));
    assert.equal(storedId(), key.accessKeyId);
  });

  it("a confirmed replacement with another IAM user's key is refused", async () => {
    const error = failure(await addUser(other, true));
    assert.equal(error.code, 'key-other-user');
    assert.ok(error.message.includes(`belongs to ${other.arn}, not to ${key.arn}`), error.message);
    assert.equal(storedId(), key.accessKeyId);
  });

  it('a confirmed replacement with the same user\'s new key replaces it, and the activity log says "replaced"', async () => {
    const r = await addUser(second, true);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.replaced, true);
    assert.equal(storedId(), second.accessKeyId);
    const last = activity.list()[0]; // newest first
    assert.equal(last?.summary, `Replaced access key ****************${key.accessKeyId.slice(-4)} of "${profile}" with ****************${second.accessKeyId.slice(-4)} in the keychain.`);
    for (const s of [key.secretAccessKey, second.secretAccessKey, key.accessKeyId, second.accessKeyId]) {
      assert.ok(!JSON.stringify(activity.list()).includes(s), 'no key in the activity log');
    }
  });
});
