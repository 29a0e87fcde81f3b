import '../fastCheckSeed';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createVault, type Vault } from '../../electron/core/vault';
import { ActivityLog } from '../../electron/desktop/activityLog';
import { ExpiringClipboard } from '../../electron/desktop/clipboardExport';
import { createHandlerTable } from '../../electron/desktop/handlerTable';
import { CHANNELS, IPC_PREFIX, requestSchemas, type IpcResult } from '../../electron/ipc/contract';
import { registerIpcHandlers, type HandlerTable, type IpcMainLike } from '../../electron/ipc/ipcDoor';
import type { IpcSenderEvent } from '../../electron/ipc/senderValidation';
import { createSandbox, type Sandbox } from '../integration/harness';
import { watchForCrashes } from './crashWatch';

/**
 * Every IPC channel fed generated payloads through the door (registerIpcHandlers, as Electron's
 * ipcMain calls it) in front of the real handler table over a sandboxed vault: the OS keychain of
 * run-with-keyring.sh, the STS emulator and temporary files. Whatever a compromised renderer sends,
 * the answer is an IpcResult value, never a throw; a payload the schema refuses never reaches a
 * handler; every error is one line with a code; and no secret comes back.
 */
describe('fuzzing the IPC door with generated payloads', () => {
  let sb: Sandbox;
  let vault: Vault;
  let table: HandlerTable;
  let user: string;
  let secret: string;
  const invoke = new Map<string, (event: IpcSenderEvent, payload: unknown) => Promise<unknown>>();
  const reached: string[] = [];
  const crashes = watchForCrashes();
  const fromApp: IpcSenderEvent = { sender: { id: 1 }, senderFrame: { url: 'file:///app/index.html', parent: null } };

  before(async () => {
    sb = await createSandbox();
    user = sb.name('ipc-user');
    const key = sb.emu.createUser(user);
    secret = key.secretAccessKey;
    sb.writeConfig(`[profile ${user}]\nregion = eu-west-1\n`);
    vault = createVault({ env: sb.env });
    vault.store.setLongTermKey(user, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, storedAt: 0 });
    let clipboard = '';
    const real = createHandlerTable({
      vault,
      activity: new ActivityLog(),
      clipboard: new ExpiringClipboard({ writeText: async (t) => void (clipboard = t), readText: async () => clipboard }),
      launcherPath: () => '/opt/Keytray/bin/keytray',
      openConsole: async () => undefined,
    });
    // Each handler notes that it was reached, so the test knows which payloads passed the schema.
    table = Object.fromEntries(
      Object.entries(real).map(([channel, handler]) => [
        channel,
        (request: unknown) => {
          reached.push(channel);
          return (handler as (r: unknown) => unknown)(request);
        },
      ]),
    ) as unknown as HandlerTable;
    const ipcMain: IpcMainLike = { handle: (channel, listener) => void invoke.set(channel, listener) };
    registerIpcHandlers(ipcMain, table, (event) => event.sender.id === 1);
  });

  after(async () => {
    vault?.store.deleteLongTermKey(user);
    vault?.store.clearSessions(user);
    await sb?.close();
    crashes.stop();
  });

  /** Payloads near each channel's shape (its field names with any values) and anything at all. */
  const payloads = (): fc.Arbitrary<{ channel: (typeof CHANNELS)[number]; payload: unknown }> => {
    const fieldNames = ['profile', 'accessKeyId', 'secretAccessKey', 'mfaCode', 'format', 'fields', 'form', 'isNew', 'roleArn', 'sourceProfile', 'candidates', 'removePlaintext', 'enabled', 'id', 'code', 'mfaSessionSeconds', 'lockOnSleep', '__proto__', 'constructor'];
    const value = fc.oneof(
      fc.anything(),
      fc.constant(user),
      fc.string({ maxLength: 3000 }),
      fc.constantFrom('sh', 'json', 'role', 'user', '123456', true, false, 900, 129600, null),
    );
    const nearShape = fc.dictionary(fc.constantFrom(...fieldNames), value, { maxKeys: 6 });
    return fc.record({
      channel: fc.constantFrom(...CHANNELS),
      payload: fc.oneof(fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true }), nearShape, fc.constant(undefined)),
    });
  };

  test('every payload comes back as a value: refused at the door, or answered by its handler', async () => {
    let refused = 0;
    let handled = 0;
    await fc.assert(
      fc.asyncProperty(payloads(), async ({ channel, payload }) => {
        const before = reached.length;
        const result = (await invoke.get(IPC_PREFIX + channel)!(fromApp, payload)) as IpcResult<unknown>;
        assert.equal(typeof result?.ok, 'boolean', `${channel}: not an IpcResult`);
        const passedSchema = requestSchemas[channel].safeParse(payload ?? {}).success;
        assert.equal(reached.length > before, passedSchema, `${channel}: a handler ran for a payload the schema ${passedSchema ? 'accepts' : 'refuses'}`);
        if (!result.ok) {
          assert.match(result.error.code, /^[a-z-]+$/);
          assert.equal(result.error.message.split('\n').length, 1, 'one line');
          if (!passedSchema) assert.equal(result.error.code, 'ipc-invalid');
        }
        const text = JSON.stringify(result);
        assert.ok(!text.includes(secret), `${channel}: a secret reached the renderer`);
        if (passedSchema) handled++;
        else refused++;
      }),
      { numRuns: 400 },
    );
    console.log(`IPC fuzz: ${refused + handled} payloads over ${CHANNELS.length} channels; ${refused} refused at the door, ${handled} answered by a handler`);

    // An untrusted sender is refused before anything else, whatever it sends.
    const untrusted = (await invoke.get(`${IPC_PREFIX}profiles.list`)!({ ...fromApp, sender: { id: 2 } }, {})) as IpcResult<unknown>;
    assert.equal(untrusted.ok, false);
    const list = (await invoke.get(`${IPC_PREFIX}profiles.list`)!(fromApp, {})) as IpcResult<{ profiles: { name: string }[] }>;
    assert.ok(list.ok && list.value.profiles.some((p) => p.name === user), 'the door still answers a good request');
    crashes.assertNone();
  });
});
