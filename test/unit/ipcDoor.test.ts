import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeytrayError } from '../../electron/core/errors';
import { CHANNELS, IPC_PREFIX, requestSchemas, type IpcResult } from '../../electron/ipc/contract';
import { FormError, callHandler, redactSecrets, registerIpcHandlers, type HandlerTable, type IpcMainLike } from '../../electron/ipc/ipcDoor';
import { TrustedSenders, isAppPage, type IpcSenderEvent } from '../../electron/ipc/senderValidation';

const APP_PAGE = 'file:///opt/Keytray/resources/app/dist/renderer/index.html';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** A handler table whose every channel records its call and answers with the parsed request. */
function recordingTable(calls: Array<[string, unknown]>): HandlerTable {
  return Object.fromEntries(
    CHANNELS.map((c) => [
      c,
      async (request: unknown) => {
        calls.push([c, request]);
        return { echoed: request };
      },
    ]),
  ) as unknown as HandlerTable;
}

/** ipcMain stand-in: keeps the listeners so a test can play a renderer. */
function fakeIpcMain() {
  const listeners = new Map<string, (event: IpcSenderEvent, payload: unknown) => Promise<unknown>>();
  const ipcMain: IpcMainLike = { handle: (channel, listener) => void listeners.set(channel, listener) };
  const invoke = (channel: string, event: IpcSenderEvent, payload: unknown) => listeners.get(IPC_PREFIX + channel)!(event, payload) as Promise<IpcResult<unknown>>;
  return { ipcMain, listeners, invoke };
}

const fromApp = (id = 1, url = `${APP_PAGE}#prompt`): IpcSenderEvent => ({ sender: { id }, senderFrame: { url, parent: null } });

describe('the IPC contract', () => {
  it('declares a schema for every channel and nothing else', () => {
    assert.deepEqual(Object.keys(requestSchemas).sort(), [...CHANNELS].sort());
  });
});

describe('TrustedSenders', () => {
  const trusted = new TrustedSenders(APP_PAGE);
  trusted.trust(1);

  it("accepts the app's own windows on the app page, with any hash or query", () => {
    assert.equal(trusted.isTrusted(fromApp(1, APP_PAGE)), true);
    assert.equal(trusted.isTrusted(fromApp(1, `${APP_PAGE}#settings`)), true);
  });

  it('refuses a webContents the app did not create', () => {
    assert.equal(trusted.isTrusted(fromApp(2)), false);
  });

  it('refuses a trusted webContents that shows another page, a subframe, or no frame', () => {
    assert.equal(trusted.isTrusted(fromApp(1, 'https://evil.example/index.html')), false);
    assert.equal(trusted.isTrusted(fromApp(1, 'file:///tmp/index.html')), false);
    assert.equal(trusted.isTrusted({ sender: { id: 1 }, senderFrame: { url: APP_PAGE, parent: {} } }), false);
    assert.equal(trusted.isTrusted({ sender: { id: 1 }, senderFrame: null }), false);
  });

  it('forgets a destroyed window', () => {
    const t = new TrustedSenders(APP_PAGE);
    t.trust(7);
    t.forget(7);
    assert.equal(t.isTrusted(fromApp(7, APP_PAGE)), false);
  });

  it('compares pages by scheme, host and path only', () => {
    assert.equal(isAppPage('http://127.0.0.1:9/?token=x#prompt', 'http://127.0.0.1:9/'), true);
    assert.equal(isAppPage('http://127.0.0.1:10/', 'http://127.0.0.1:9/'), false);
    assert.equal(isAppPage('not a url', APP_PAGE), false);
  });
});

describe('registerIpcHandlers', () => {
  it('registers every channel under the keytray: prefix', () => {
    const { ipcMain, listeners } = fakeIpcMain();
    registerIpcHandlers(ipcMain, recordingTable([]), () => true);
    assert.deepEqual([...listeners.keys()].sort(), CHANNELS.map((c) => IPC_PREFIX + c).sort());
  });

  it('drops a call from an untrusted sender before parsing it, and reports it', async () => {
    const calls: Array<[string, unknown]> = [];
    const rejected: string[] = [];
    const trusted = new TrustedSenders(APP_PAGE);
    trusted.trust(1);
    const { ipcMain, invoke } = fakeIpcMain();
    registerIpcHandlers(ipcMain, recordingTable(calls), (e) => trusted.isTrusted(e), (channel, reason) => rejected.push(`${channel}: ${reason}`));
    const result = await invoke('sessions.lock', fromApp(99), {});
    assert.deepEqual(result, { ok: false, error: { code: 'ipc-forbidden', message: 'This window may not use Keytray' } });
    assert.deepEqual(calls, []);
    assert.deepEqual(rejected, ['sessions.lock: untrusted sender']);
    assert.equal((await invoke('sessions.lock', fromApp(1), {})).ok, true);
  });
});

describe('callHandler', () => {
  it('passes a valid payload to its handler', async () => {
    const calls: Array<[string, unknown]> = [];
    const result = await callHandler(recordingTable(calls), 'sessions.start', { profile: 'admin', mfaCode: '123456' });
    assert.deepEqual(result, { ok: true, value: { echoed: { profile: 'admin', mfaCode: '123456' } } });
  });

  it('refuses unknown channels, unknown keys, wrong types and malformed codes without calling the handler', async () => {
    const calls: Array<[string, unknown]> = [];
    const table = recordingTable(calls);
    const cases: Array<[unknown, unknown, RegExp]> = [
      ['shell.exec', { cmd: 'rm -rf ~' }, /^Unknown IPC channel$/],
      ['__proto__', {}, /^Unknown IPC channel$/],
      ['sessions.start', { profile: 'admin', extra: true }, /^Invalid request for sessions.start: Unrecognized key: "extra"$/],
      ['sessions.start', { profile: 42 }, /^Invalid request for sessions.start at profile: /],
      ['sessions.start', { profile: 'admin', mfaCode: '12345x' }, /at mfaCode: The MFA code must be 6 digits$/],
      ['env.copy', { profile: 'admin', format: 'bash; rm -rf /' }, /at format: /],
      ['profiles.makeActive', null, /at profile: /],
      ['settings.set', { mfaSessionSeconds: 5 }, /at mfaSessionSeconds: /],
    ];
    for (const [channel, payload, message] of cases) {
      const result = await callHandler(table, channel, payload);
      assert.equal(result.ok, false, `${String(channel)} ${JSON.stringify(payload)}`);
      if (!result.ok) {
        assert.equal(result.error.code, 'ipc-invalid');
        assert.match(result.error.message, message);
      }
    }
    assert.deepEqual(calls, []);
  });

  it('words a form field past its limit as a message at that field, never as schema text', async () => {
    const calls: Array<[string, unknown]> = [];
    const table = recordingTable(calls);
    const long = await callHandler(table, 'profiles.addUser', { profile: 'p'.repeat(129), accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) });
    assert.deepEqual(long, {
      ok: false,
      error: { code: 'config-invalid', message: 'The profile name can be at most 128 characters.', fields: { profile: 'The profile name can be at most 128 characters.' } },
    });
    const inline = await callHandler(table, 'profiles.validate', { form: 'role', isNew: true, profile: 'ops', fields: { roleArn: 'a'.repeat(3000) } });
    assert.ok(!inline.ok);
    assert.deepEqual(inline.error.fields, { roleArn: 'The role ARN can be at most 2048 characters.' });
    assert.doesNotMatch(JSON.stringify([long, inline]), /Invalid request|Too big|too_big/);
    assert.deepEqual(calls, []);
  });

  it('never echoes a rejected payload, so a secret sent to the wrong field stays out of the error', async () => {
    const result = await callHandler(recordingTable([]), 'profiles.addUser', { profile: 'alice', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 7, note: SECRET });
    assert.equal(result.ok, false);
    assert.ok(!JSON.stringify(result).includes(SECRET));
    assert.ok(!JSON.stringify(result).includes('AKIAIOSFODNN7EXAMPLE'));
  });

  it('returns thrown errors as values with their code and one line', async () => {
    const table = recordingTable([]);
    table['sessions.end'] = () => {
      throw new KeytrayError('no-stored-key', 'No access key is stored in the keychain', { profile: 'alice', hint: 'Store one with `keytray add alice`.' });
    };
    table['sessions.lock'] = () => {
      throw new Error(`socket hang up\n    at Object.<anonymous> (secret ${SECRET})`);
    };
    table['profiles.saveRole'] = () => {
      throw new FormError({ roleArn: 'Enter a role ARN.' }, 'admin');
    };
    assert.deepEqual(await callHandler(table, 'sessions.end', { profile: 'alice' }), {
      ok: false,
      error: { code: 'no-stored-key', message: 'No access key is stored in the keychain (profile "alice"). Store one with `keytray add alice`.' },
    });
    const unexpected = await callHandler(table, 'sessions.lock', {});
    assert.equal(unexpected.ok, false);
    if (!unexpected.ok) {
      assert.equal(unexpected.error.code, 'io');
      assert.doesNotMatch(unexpected.error.message, /\n/);
      assert.ok(!unexpected.error.message.includes(SECRET), unexpected.error.message);
    }
    const form = await callHandler(table, 'profiles.saveRole', { profile: 'admin', isNew: true, roleArn: '', sourceProfile: 'alice' });
    assert.deepEqual(form, { ok: false, error: { code: 'config-invalid', message: 'Enter a role ARN (profile "admin"). Correct the marked fields.', fields: { roleArn: 'Enter a role ARN.' } } });
  });
});

describe('redactSecrets', () => {
  it('keeps the last 4 characters of key IDs and cuts out secrets and tokens', () => {
    assert.equal(redactSecrets('key AKIAIOSFODNN7EXAMPLE failed'), 'key ****MPLE failed');
    assert.equal(redactSecrets(`secret ${SECRET} end`), 'secret [redacted] end');
    assert.equal(redactSecrets('role arn:aws:iam::123456789012:role/Admin is fine'), 'role arn:aws:iam::123456789012:role/Admin is fine');
  });
});
