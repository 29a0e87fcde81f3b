import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVault, type Vault } from '../../electron/core/vault';
import { ActivityLog } from '../../electron/desktop/activityLog';
import { ExpiringClipboard } from '../../electron/desktop/clipboardExport';
import { createHandlerTable } from '../../electron/desktop/handlerTable';
import type { IpcResult, ResponseOf } from '../../electron/ipc/contract';
import { callHandler, type HandlerTable } from '../../electron/ipc/ipcDoor';
import { createSandbox, type Sandbox } from '../integration/harness';
import { startSilentEndpoint, type SilentEndpoint } from '../integration/networkFixtures';

/**
 * The desktop app's Start session, through the same handler table as Electron's IPC, against an STS
 * endpoint that accepts the connection and never answers: the window gets the one-line error as a
 * value within 30 s, and the profile shows no session, so nothing is left "starting" forever.
 */
describe('Start session in the app when STS never answers', () => {
  let sb: Sandbox;
  let silent: SilentEndpoint;
  let vault: Vault;
  let table: HandlerTable;
  let user: string;
  let code: () => string;

  before(async () => {
    sb = await createSandbox();
    silent = await startSilentEndpoint();
    const scenario = sb.userWithMfaRole();
    user = scenario.user;
    code = () => scenario.mfa.unusedCode();
    sb.writeConfig(`[profile ${user}]\nmfa_serial = ${scenario.mfa.serial}\n`);
    vault = createVault({ env: { ...sb.env, AWS_ENDPOINT_URL_STS: silent.url } });
    vault.store.setLongTermKey(user, { accessKeyId: scenario.key.accessKeyId, secretAccessKey: scenario.key.secretAccessKey, storedAt: Date.now() });
    let text = '';
    table = createHandlerTable({
      vault,
      activity: new ActivityLog(),
      clipboard: new ExpiringClipboard({ writeText: async (t) => void (text = t), readText: async () => text }),
      launcherPath: () => '/opt/Keytray/bin/keytray',
      setStartAtLogin: () => undefined,
    });
  });

  after(async () => {
    vault?.store.deleteLongTermKey(user);
    vault?.store.clearSessions(user);
    await silent?.close();
    await sb?.close();
  });

  it('ends with the error naming the endpoint and what to check, and no session', async () => {
    const start = Date.now();
    const result = await callHandler(table, 'sessions.start', { profile: user, mfaCode: code() });
    const ms = Date.now() - start;
    assert.ok(ms <= 30_000, `ended after ${ms} ms`);
    assert.equal(result.ok, false, JSON.stringify(result));
    if (!result.ok) {
      assert.match(result.error.message, new RegExp(`STS at ${silent.url} did not answer GetSessionToken.*profile "${user}".*VPN.*AWS_ENDPOINT_URL_STS`));
    }
    const list = (await callHandler(table, 'profiles.list', {})) as IpcResult<ResponseOf<'profiles.list'>>;
    assert.ok(list.ok);
    if (list.ok) assert.equal(list.value.profiles.find((p) => p.name === user)?.sessionSecondsLeft, null);
  });
});
