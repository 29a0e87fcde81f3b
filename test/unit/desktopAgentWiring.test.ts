import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { readActiveProfile } from '../../electron/core/settings';
import { callHandler } from '../../electron/ipc/ipcDoor';
import type { PromptView } from '../../electron/ipc/contract';
import { startDesktopApp, type DesktopApp, type ElectronSurface } from '../../electron/desktop/desktopApp';
import type { TrayMenuItem } from '../../electron/desktop/trayTemplate';
import { createSandbox, parseCredentialDocument, type Sandbox } from '../integration/harness';
import type { EmulatorUser, MfaDevice } from '../emulator';

/**
 * The app's agent wiring under Node, with the Electron surface passed in as fakes and everything
 * else real: the agent socket, the keychain, the STS emulator and the built `keytray` CLI.
 */
describe('desktop app hosting the agent', () => {
  let sb: Sandbox;
  let app: DesktopApp;
  let alice: EmulatorUser;
  let mfa: MfaDevice;
  let user: string;
  let role: string;
  let roleArn: string;
  const promptShows: number[] = [];
  const notifications: string[] = [];
  let tray: { template: TrayMenuItem[]; tooltip: string } = { template: [], tooltip: '' };

  const surface: ElectronSurface = {
    clipboard: { writeText: async () => undefined, readText: async () => '' },
    promptWindow: { show: () => void promptShows.push(Date.now()), hide: () => undefined },
    showMainWindow: () => undefined,
    renderTray: (template, tooltip) => void (tray = { template, tooltip }),
    notify: (title, body) => void notifications.push(`${title}: ${body}`),
    setStartAtLogin: () => undefined,
    openExternal: async () => undefined,
    quit: () => undefined,
    log: () => undefined,
  };

  async function waitForPrompt(): Promise<PromptView> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const result = await callHandler(app.handlers, 'prompt.current', {});
      if (result.ok && result.value) return result.value as PromptView;
      if (Date.now() > deadline) throw new Error('no MFA prompt appeared');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  before(async () => {
    sb = await createSandbox();
    ({ user, role, key: alice, mfa, roleArn } = sb.userWithMfaRole());
    sb.writeConfig(`[profile ${user}]\nmfa_serial = ${mfa.serial}\n\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\n`);
    app = await startDesktopApp({ env: sb.env, surface, launcherPath: () => '/opt/Keytray/bin/keytray' });
    app.vault.store.setLongTermKey(user, { accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey, storedAt: Date.now() });
  });

  after(async () => {
    await app?.stop();
    app?.vault.store.deleteLongTermKey(user);
    app?.vault.store.clearSessions(user);
    app?.vault.store.clearSessions(role);
    await sb?.close();
  });

  it('starts its agent where the CLI looks for it', () => {
    assert.ok(app.agent, 'the agent started');
    assert.ok(fs.existsSync(app.agent.socketPath));
  });

  it('prompts in its window for a credential-process that needs MFA, naming the requesting process, and serves it', async () => {
    const cli = sb.keytray(['credential-process', role]);
    const prompt = await waitForPrompt();
    assert.equal(prompt.serial, mfa.serial);
    assert.equal(prompt.profile, user, 'the code is for the user whose MFA session the role is assumed from');
    assert.equal(prompt.requestedProfile, role, 'and the window says which profile the tool asked for');
    // The CLI reports its parent (the tool that ran credential_process): here, this test process.
    assert.equal(prompt.requester?.pid, process.pid);
    assert.ok(prompt.requester?.command && prompt.requester.command.length > 0);
    if (process.platform === 'linux') {
      // The agent names the parent from /proc itself, so the window shows the tool, not `keytray`.
      const ownCommand = fs.readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter(Boolean).join(' ');
      assert.equal(prompt.requester?.command, ownCommand.slice(0, 1000));
    }
    assert.ok(promptShows.length > 0, 'the prompt window was shown');

    const answered = await callHandler(app.handlers, 'prompt.answer', { id: prompt.id, code: mfa.unusedCode() });
    // The window's "Send code" is answered once STS has accepted the code, never before.
    assert.deepEqual(answered, { ok: true, value: { result: 'served' } });
    const result = await cli;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const doc = parseCredentialDocument(result.stdout);

    // The credentials are the role's: ask STS (the emulator) who they belong to.
    assert.match(await sb.identityOf(doc), new RegExp(`:assumed-role/${role}/`));

    const log = app.activity.list();
    const served = log.find((e) => e.kind === 'served' && e.profile === role);
    assert.ok(served, JSON.stringify(log));
    assert.equal(served.requester?.pid, process.pid);
    assert.ok(log.some((e) => e.kind === 'mfa-prompt' && e.profile === user));
    assert.ok(!JSON.stringify(log).includes(doc.SecretAccessKey));
    assert.deepEqual(await callHandler(app.handlers, 'prompt.current', {}), { ok: true, value: null });
  });

  it('serves the next call from memory without a prompt', async () => {
    const servedToRole = () => app.activity.list().filter((e) => e.kind === 'served' && e.profile === role).length;
    const before = sb.emu.count('AssumeRole');
    const servedBefore = servedToRole();
    const shownBefore = promptShows.length;
    const result = await sb.keytray(['credential-process', role]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(sb.emu.count('AssumeRole'), before);
    assert.equal(servedToRole(), servedBefore + 1, 'the activity log shows the call was served');
    assert.equal(promptShows.length, shownBefore, 'no prompt window was shown');
    const tooltip = app.refresh() && tray.tooltip;
    assert.match(tooltip, /^Keytray/);
    const roleItem = JSON.stringify(tray.template);
    assert.match(roleItem, new RegExp(`${role} — (59|60) min left`));
  });

  it('gives the CLI a clear "MFA cancelled" error when the prompt is cancelled', async () => {
    await callHandler(app.handlers, 'sessions.lock', {});
    const cli = sb.keytray(['credential-process', role]);
    const prompt = await waitForPrompt();
    assert.deepEqual(await callHandler(app.handlers, 'prompt.cancel', { id: prompt.id }), { ok: true, value: { cancelled: true } });
    const result = await cli;
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^keytray: MFA cancelled in the Keytray window \(profile "[^"]+"\)\. Run the command again and enter the code\.\n$/);
    assert.ok(app.activity.list().some((e) => e.kind === 'mfa-cancelled'));
  });

  it('cancels every queued MFA prompt when the prompt window is closed, not only the one on screen', async () => {
    const ask = (command: string) => app.prompts.prompter({ profile: user, serial: mfa.serial, requester: { pid: process.pid, command } });
    const waiting = [ask('terraform plan'), ask('aws s3 ls')];
    assert.equal((await waitForPrompt()).queued, 1);
    app.prompts.windowClosed();
    for (const request of waiting) await assert.rejects(request, /MFA cancelled in the Keytray window/);
    assert.deepEqual(await callHandler(app.handlers, 'prompt.current', {}), { ok: true, value: null });
    const cancelled = app.activity.list().filter((e) => e.kind === 'mfa-cancelled').slice(0, 2);
    assert.deepEqual(cancelled.map((e) => e.requester?.command).sort(), ['aws s3 ls', 'terraform plan']);
  });

  it("cancels a waiting MFA prompt when the window's Lock is used, like the tray's", async () => {
    const cli = sb.keytray(['credential-process', role]);
    await waitForPrompt();
    assert.equal((await callHandler(app.handlers, 'sessions.lock', {})).ok, true);
    // Checked before awaiting the CLI: a prompt left open would keep it waiting for two minutes.
    assert.deepEqual(await callHandler(app.handlers, 'prompt.current', {}), { ok: true, value: null });
    const result = await cli;
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^keytray: MFA cancelled: Keytray was locked \(profile "[^"]+"\)\.\n$/);
    assert.equal(app.vault.store.getSession(role), null);
  });

  it("refuses the tray's Make active for a profile that is not in the config, as the window does", async () => {
    const before = readActiveProfile(sb.dataDir);
    const shownBefore = notifications.length;
    await app.runTrayAction({ type: 'make-active', profile: 'nobody-here' });
    const viaWindow = await callHandler(app.handlers, 'profiles.makeActive', { profile: 'nobody-here' });
    assert.equal(viaWindow.ok, false);
    assert.equal(readActiveProfile(sb.dataDir), before, 'the active profile did not change');
    assert.deepEqual(notifications.slice(shownBefore), [`Keytray: ${viaWindow.ok ? '' : viaWindow.error.message}`]);
    assert.match(notifications.at(-1)!, /There is no profile "nobody-here"/);

    await app.runTrayAction({ type: 'make-active', profile: role });
    assert.equal(readActiveProfile(sb.dataDir), role);
    assert.equal(app.activity.list()[0].summary, `Made "${role}" the active profile.`);
  });

  it('ends every session on sleep when the settings say so', async () => {
    const cli = sb.keytray(['credential-process', role]);
    const prompt = await waitForPrompt();
    await callHandler(app.handlers, 'prompt.answer', { id: prompt.id, code: mfa.unusedCode() });
    assert.equal((await cli).code, 0);
    assert.ok(app.vault.store.getSession(role));
    app.onSystemEvent('suspend');
    assert.equal(app.vault.store.getSession(role), null);
    assert.equal(app.vault.store.getSession(user), null);
    assert.ok(app.activity.list().some((e) => e.kind === 'locked' && /sleep/.test(e.summary)));
  });

  it('makes a recent profile active, with its session, in one click from the top of the tray; a refused code is asked again', async () => {
    await callHandler(app.handlers, 'profiles.makeActive', { profile: role });
    await callHandler(app.handlers, 'profiles.makeActive', { profile: null });
    await callHandler(app.handlers, 'sessions.lock', {});
    assert.equal(app.vault.store.getSession(role), null);
    app.refresh();
    // The recent role is a plain item at the top level, not inside a group's submenu.
    const item = tray.template.find((i) => i.action?.type === 'activate' && i.action.profile === role);
    assert.ok(item, JSON.stringify(tray.template.slice(0, 5)));
    assert.equal(item.type, 'checkbox');
    assert.equal(item.checked, false);

    const clicked = app.runTrayAction(item.action!);
    const first = await waitForPrompt();
    assert.equal(first.requestedProfile, role);
    const right = mfa.unusedCode();
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    const refused = await callHandler(app.handlers, 'prompt.answer', { id: first.id, code: wrong });
    assert.ok(refused.ok && (refused.value as { result: string }).result === 'rejected', JSON.stringify(refused));
    const again = await waitForPrompt();
    assert.equal(again.id, first.id, 'the same request stays open for the next code');
    assert.match(again.error ?? '', /STS rejected the MFA code/);
    assert.deepEqual(await callHandler(app.handlers, 'prompt.answer', { id: first.id, code: right }), { ok: true, value: { result: 'served' } });
    await clicked;

    assert.equal(readActiveProfile(sb.dataDir), role);
    assert.ok(app.vault.store.getSession(role), 'the click started the session');
    app.refresh();
    assert.match(tray.tooltip, new RegExp(`^Keytray — ${role}, (59|60) min left$`));
    const log = app.activity.list();
    assert.ok(log.some((e) => e.kind === 'mfa-rejected' && e.outcome === 'failed'), 'the refused code is marked in the log');
  });
});
