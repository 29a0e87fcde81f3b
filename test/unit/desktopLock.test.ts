import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { loadSettings, saveSettings } from '../../electron/core/settings';
import { callHandler } from '../../electron/ipc/ipcDoor';
import type { Channel, RequestOf } from '../../electron/ipc/contract';
import { startDesktopApp, type DesktopApp, type ElectronSurface } from '../../electron/desktop/desktopApp';
import { createSandbox, type Sandbox } from '../integration/harness';
import type { MfaDevice } from '../emulator';

/**
 * What locking the app must do, seen from outside: every session ends, and an env export that is
 * still on the clipboard is wiped at once rather than when its 30 s run out. Sleep and screen lock
 * each follow their own setting.
 */
describe('locking the desktop app', () => {
  let sb: Sandbox;
  let app: DesktopApp;
  let user: string;
  let mfa: MfaDevice;
  let clipboardText = '';

  const surface: ElectronSurface = {
    clipboard: { writeText: async (text) => void (clipboardText = text), readText: async () => clipboardText },
    promptWindow: { show: () => undefined, hide: () => undefined },
    showMainWindow: () => undefined,
    renderTray: () => undefined,
    notify: () => undefined,
    setStartAtLogin: () => undefined,
    openExternal: async () => undefined,
    quit: () => undefined,
    log: () => undefined,
  };

  async function ok<C extends Channel>(channel: C, request: RequestOf<C>) {
    const result = await callHandler(app.handlers, channel, request);
    assert.ok(result.ok, JSON.stringify(result));
    return result.value;
  }

  async function startSession(): Promise<void> {
    const started = await ok('sessions.start', { profile: user, mfaCode: mfa.unusedCode() });
    assert.equal((started as { status: string }).status, 'started');
    assert.ok(app.vault.store.getSession(user), 'a session is running');
  }

  before(async () => {
    sb = await createSandbox();
    const scenario = sb.userWithMfaRole('lock-user', 'lock-role');
    ({ user, mfa } = scenario);
    sb.writeConfig(`[profile ${user}]\nmfa_serial = ${mfa.serial}\n`);
    app = await startDesktopApp({ env: sb.env, surface, launcherPath: () => '/opt/Keytray/bin/keytray' });
    app.vault.store.setLongTermKey(user, { accessKeyId: scenario.key.accessKeyId, secretAccessKey: scenario.key.secretAccessKey, storedAt: Date.now() });
  });

  beforeEach(() => {
    // Each test gets fresh TOTP codes: STS accepts a code once.
    sb.emu.clock.advance(90_000);
  });

  after(async () => {
    await app?.stop();
    app?.vault.store.deleteLongTermKey(user);
    app?.vault.store.clearSessions(user);
    await sb?.close();
  });

  it('wipes a copied env export from the clipboard at once', async () => {
    await startSession();
    await ok('env.copy', { profile: user, format: 'sh' });
    assert.match(clipboardText, /AWS_SECRET_ACCESS_KEY/);
    await ok('sessions.lock', {});
    // The flush may be asynchronous (Electron's clipboard returns promises); give it a turn.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(clipboardText, '', 'no credentials left on the clipboard after Lock');
    assert.equal(app.vault.store.getSession(user), null);
  });

  it('ends sessions on screen lock, but not on sleep, when only "lock on screen lock" is on', async () => {
    saveSettings(app.vault.paths.dataDir, { ...loadSettings(app.vault.paths.dataDir), lockOnSleep: false, lockOnScreenLock: true });
    await startSession();
    await app.onSystemEvent('suspend');
    assert.ok(app.vault.store.getSession(user), 'sleep left the session alone');
    await app.onSystemEvent('lock-screen');
    assert.equal(app.vault.store.getSession(user), null, 'screen lock ended it');
    assert.ok(app.activity.list().some((e) => e.kind === 'locked' && /screen lock/.test(e.summary)));
  });

  it('ends sessions on sleep, but not on screen lock, when only "lock on sleep" is on', async () => {
    saveSettings(app.vault.paths.dataDir, { ...loadSettings(app.vault.paths.dataDir), lockOnSleep: true, lockOnScreenLock: false });
    await startSession();
    await app.onSystemEvent('lock-screen');
    assert.ok(app.vault.store.getSession(user), 'screen lock left the session alone');
    await app.onSystemEvent('suspend');
    assert.equal(app.vault.store.getSession(user), null, 'sleep ended it');
  });
});
