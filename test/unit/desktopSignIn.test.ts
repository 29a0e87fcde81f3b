import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDesktopApp, type DesktopApp, type ElectronSurface } from '../../electron/desktop/desktopApp';
import type { TrayMenuItem } from '../../electron/desktop/trayTemplate';
import { callHandler } from '../../electron/ipc/ipcDoor';
import type { BrowserSignInView, Channel, IpcResult, ProfileList, RequestOf, ResponseOf } from '../../electron/ipc/contract';
import { browserStandIn, createSandbox, parseCredentialDocument, type Sandbox } from '../integration/harness';

/**
 * IAM Identity Center and AWS Sign-In from the app's window and tray: the desktop app under Node
 * with the Electron surface as fakes (windows, tray, notifications) and everything else real: the
 * strict emulator, the keychain, the app's agent, the built CLI, and a BROWSER stand-in that opens
 * the page and follows its redirects, as the person's browser would. What that person does
 * (approve, deny, walk away) is set on the emulator.
 */
describe('desktop sign-ins: IAM Identity Center and AWS Sign-In', { timeout: 300_000 }, () => {
  let sb: Sandbox;
  let app: DesktopApp;
  const DEV = '210987654321';
  const PROD = '333333333333';
  let devAdmin: string, prodRead: string, deploy: string;
  let baseConfig: string;
  let opened: () => string[];
  const pushed: Array<{ event: string; payload: unknown }> = [];
  /** The prompt window's show/hide calls, in order; the last one is what the person sees. */
  const promptWindow: string[] = [];
  const notifications: string[] = [];
  const logLines: string[] = [];
  let tray: { template: TrayMenuItem[]; tooltip: string } = { template: [], tooltip: '' };

  const surfaceFor = (record: boolean): ElectronSurface => ({
    clipboard: { writeText: async () => undefined, readText: async () => '' },
    promptWindow: { show: () => void (record && promptWindow.push('show')), hide: () => void (record && promptWindow.push('hide')) },
    showMainWindow: () => undefined,
    renderTray: (template, tooltip) => void (record && (tray = { template, tooltip })),
    notify: (title, body) => void (record && notifications.push(`${title}: ${body}`)),
    setStartAtLogin: () => undefined,
    openExternal: async () => undefined,
    quit: () => undefined,
    log: (line) => void logLines.push(line),
    push: (event, payload) => void (record && pushed.push({ event, payload })),
  });

  async function call<C extends Channel>(channel: C, request: RequestOf<C>, on: DesktopApp = app): Promise<IpcResult<ResponseOf<C>>> {
    return (await callHandler(on.handlers, channel, request)) as IpcResult<ResponseOf<C>>;
  }
  async function ok<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    const result = await call(channel, request);
    assert.ok(result.ok, `${channel} failed: ${JSON.stringify(result)}`);
    return result.value;
  }
  async function until<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const signInViews = () => pushed.filter((p) => p.event === 'signin.changed').map((p) => p.payload as BrowserSignInView | null);
  const lastList = () => [...pushed].reverse().find((p) => p.event === 'state.changed')?.payload as ProfileList | undefined;
  const waitForView = (predicate: (v: BrowserSignInView) => boolean = () => true) =>
    until('a sign-in view', async () => {
      const r = await call('signin.current', {});
      return r.ok && r.value && predicate(r.value) ? r.value : undefined;
    });
  const list = () => ok('profiles.list', {});
  const trayText = () => JSON.stringify(tray.template);
  /** Every file under the sandbox's HOME (config, data directory, caches), to prove a secret is in none. */
  const filesUnder = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
    });
  const emulatorAdmin = (route: string) => fetch(`${sb.emu.url}/__emulator/sso/${route}`, { method: 'POST' }).then((r) => assert.ok(r.ok, `${route}: HTTP ${r.status}`));

  before(async () => {
    sb = await createSandbox();
    const browser = browserStandIn(sb.home);
    sb.env.BROWSER = browser.env.BROWSER;
    opened = browser.opened;
    sb.emu.sso.createUser('dana');
    sb.emu.sso.assign('dana', { accountId: DEV, accountName: 'dev', roleName: 'Admin' });
    sb.emu.sso.assign('dana', { accountId: PROD, accountName: 'prod', roleName: 'ReadOnly' });
    const deployArn = sb.emu.createRole({ name: 'Deploy', account: DEV, trustedPrincipals: [sb.emu.sso.roleArn(DEV, 'Admin')] }).arn;
    devAdmin = sb.name('dev-admin');
    prodRead = sb.name('prod-read');
    deploy = sb.name('deploy');
    baseConfig =
      `[sso-session corp]\nsso_start_url = ${sb.emu.sso.startUrl}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n` +
      `[sso-session half]\nsso_start_url = ${sb.emu.sso.startUrl}\n\n` +
      `[profile ${devAdmin}]\nsso_session = corp\nsso_account_id = ${DEV}\nsso_role_name = Admin\nregion = eu-west-1\n\n` +
      `[profile ${prodRead}]\nsso_session = corp\nsso_account_id = ${PROD}\nsso_role_name = ReadOnly\n\n` +
      `[profile ${deploy}]\nrole_arn = ${deployArn}\nsource_profile = ${devAdmin}\n`;
    sb.writeConfig(baseConfig);
    app = await startDesktopApp({ env: sb.env, surface: surfaceFor(true), launcherPath: () => '/opt/Keytray/bin/keytray', signInTimeoutMs: 60_000 });
  });

  after(async () => {
    await app?.stop();
    await sb?.keytray(['sso', 'logout']);
    await sb?.keytray(['clear']);
    // The renderer saw every pushed event: no token, no authorize URL (it holds the state) in any.
    const secrets = sb ? sb.emu.issuedSecrets() : [];
    for (const p of pushed) {
      const text = JSON.stringify(p.payload);
      for (const s of secrets) assert.ok(!text.includes(s), `a token reached the renderer in ${p.event}`);
      assert.doesNotMatch(text, /state=|code_challenge|\/authorize/, `an authorize URL reached the renderer in ${p.event}`);
    }
    await sb?.close();
  });

  it('signs in with PKCE from the window: the list and the tray show the session, the keychain holds the token and no file does', async () => {
    const pushedBefore = pushed.length;
    const openedBefore = opened().length;
    const signedIn = await ok('sso.signIn', { session: 'corp' });
    assert.equal(signedIn.status, 'signed-in');
    assert.ok(signedIn.secondsLeft > 3500, String(signedIn.secondsLeft));
    assert.equal(signedIn.renews, true);
    assert.match(signedIn.timeLeftText, /^(59 min|1 h) left$/);
    assert.equal(opened().length - openedBefore, 1, 'one page opened, through BROWSER');
    assert.equal(new URL(opened().at(-1)!).pathname, '/authorize');

    // The prompt window said "continue in your browser" while it waited, and went once it was done.
    const views = signInViews().slice(signInViews().length - pushed.slice(pushedBefore).filter((p) => p.event === 'signin.changed').length);
    const shown = views.find((v) => v !== null);
    assert.ok(shown, 'a sign-in view was pushed');
    assert.equal(shown.service, 'IAM Identity Center');
    assert.equal(shown.target, 'corp');
    assert.equal(shown.mode, 'browser');
    assert.equal(shown.requester, undefined, 'a Sign in button, not a program, started it');
    assert.ok(shown.expiresAt - shown.startedAt >= 59_000);
    assert.equal(views.at(-1), null, 'the view is gone once signed in');
    assert.equal(promptWindow.at(-1), 'hide');
    assert.deepEqual((await call('signin.current', {})).ok && (await call('signin.current', {})), { ok: true, value: null });

    const row = (await list()).ssoSessions.find((s) => s.name === 'corp');
    assert.ok(row);
    assert.match(row.timeLeftText, /^(59 min|1 h) left$/);
    assert.equal(row.region, 'eu-west-1');
    assert.equal(row.renews, true);
    assert.deepEqual(row.profiles, [devAdmin, prodRead]);
    const half = (await list()).ssoSessions.find((s) => s.name === 'half');
    assert.match(half?.problem ?? '', /^\[sso-session half\] in .* has no sso_region\. Add sso_start_url/);
    assert.equal(half?.timeLeftText, 'signed out');

    app.refresh();
    assert.match(trayText(), /"label":"IAM Identity Center","enabled":false/);
    assert.match(trayText(), /"label":"corp — (59 min|1 h) left"/);

    const token = app.vault.store.getSsoToken('corp');
    assert.ok(token?.accessToken && token.refreshToken, 'the keychain holds the tokens');
    for (const file of filesUnder(sb.home)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const secret of [token.accessToken, token.refreshToken!]) assert.ok(!text.includes(secret), `a token is in ${file}`);
    }
  });

  it('learns the account names after a sign-in and groups SSO profiles, and roles assumed from them, by account name', async () => {
    const rows = await until('account names in the list', async () => {
      const l = await list();
      return l.profiles.find((p) => p.name === devAdmin)?.accountName === 'dev' ? l.profiles : undefined;
    });
    const byName = new Map(rows.map((r) => [r.name, r]));
    assert.equal(byName.get(devAdmin)?.group, 'dev');
    assert.equal(byName.get(prodRead)?.accountName, 'prod');
    assert.equal(byName.get(prodRead)?.group, 'prod');
    assert.equal(byName.get(deploy)?.group, 'dev', 'the role goes with the SSO profile its chain ends at');
    const names = JSON.parse(fs.readFileSync(path.join(sb.dataDir, 'sso-accounts.json'), 'utf8'));
    assert.deepEqual(names, { accounts: { [DEV]: 'dev', [PROD]: 'prod' } });
    assert.equal(fs.statSync(path.join(sb.dataDir, 'sso-accounts.json')).mode & 0o777, 0o600);
    app.refresh();
    assert.match(trayText(), new RegExp(`"label":"dev · ${DEV}"`), 'the tray groups under the account name too');
  });

  it('device authorization: the view shows the code the page shows, and the person approves it at the emulator', async () => {
    sb.emu.sso.browser('ignore');
    try {
      const running = call('sso.signIn', { session: 'corp', deviceCode: true });
      const view = await waitForView((v) => !!v.userCode);
      assert.equal(view.mode, 'device');
      assert.deepEqual(sb.emu.sso.pendingUserCodes(), [view.userCode]);
      assert.equal(signInViews().at(-1)?.userCode, view.userCode, 'the window was pushed the same code');
      assert.equal(view.verificationUri, `${sb.emu.url}/device`, 'the page to type the code into, without the code');
      assert.equal(promptWindow.at(-1), 'show');
      await emulatorAdmin(`device?user_code=${encodeURIComponent(view.userCode!)}&decision=approve&user=dana`);
      const result = await running;
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(await call('signin.current', {}), { ok: true, value: null });
      assert.equal(promptWindow.at(-1), 'hide');
    } finally {
      sb.emu.sso.browser('approve');
    }
  });

  it('a cancel in the window ends the wait within a second with one line, and the view and the window go', async () => {
    sb.emu.sso.browser('ignore');
    try {
      for (const deviceCode of [false, true]) {
        const running = call('sso.signIn', { session: 'corp', deviceCode });
        const view = await waitForView((v) => !deviceCode || !!v.userCode);
        const started = Date.now();
        assert.deepEqual(await call('signin.cancel', { id: view.id }), { ok: true, value: { cancelled: true } });
        const result = await running;
        assert.ok(Date.now() - started < 1000, `ended ${Date.now() - started} ms after the cancel`);
        assert.equal(result.ok, false);
        if (!result.ok) {
          assert.equal(
            result.error.message,
            'The sign-in to IAM Identity Center session "corp" was cancelled in the Keytray window. Sign in again from the window or the tray, or run `keytray sso login corp`.',
          );
        }
        assert.deepEqual(await call('signin.current', {}), { ok: true, value: null });
        assert.equal(promptWindow.at(-1), 'hide');
      }
      assert.ok(app.activity.list().some((e) => e.kind === 'signed-in' && e.outcome === 'refused'), 'the activity log shows the cancel');
      assert.ok(app.vault.store.getSsoToken('corp'), 'the earlier sign-in is still there');
    } finally {
      sb.emu.sso.browser('approve');
    }
  });

  it('keeps the one prompt window up while an MFA request waits after a sign-in ends, and hides it once both are done', async () => {
    const mfaWaiting = app.prompts.prompter({ profile: devAdmin, serial: 'arn:aws:iam::111111111111:mfa/dana', requester: { pid: process.pid, command: 'terraform plan' } });
    mfaWaiting.catch(() => undefined);
    sb.emu.sso.browser('ignore');
    try {
      const running = call('sso.signIn', { session: 'corp' });
      const view = await waitForView();
      assert.equal(app.prompts.pendingCount, 1);
      await call('signin.cancel', { id: view.id });
      assert.equal((await running).ok, false);
      assert.equal(promptWindow.at(-1), 'show', 'the MFA request still has the window');
      assert.ok(app.prompts.cancel(app.prompts.current()!.id));
      await assert.rejects(mfaWaiting, /MFA cancelled in the Keytray window/);
      assert.equal(promptWindow.at(-1), 'hide', 'hidden once neither queue has anything');

      // Closing the window cancels a sign-in it showed, as it cancels the MFA requests.
      const closed = call('sso.signIn', { session: 'corp' });
      await waitForView();
      app.promptWindowClosed();
      const result = await closed;
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.message, 'The sign-in to IAM Identity Center session "corp" was cancelled: the Keytray prompt window was closed. Sign in again when you are ready.');
    } finally {
      sb.emu.sso.browser('approve');
    }
  });

  it('a browser that never comes back ends the sign-in with the timeout line', async () => {
    // An app of its own, with a short wait; its agent gives way to the first app's.
    const quick = await startDesktopApp({ env: sb.env, surface: surfaceFor(false), launcherPath: () => '/opt/Keytray/bin/keytray', signInTimeoutMs: 2000 });
    sb.emu.sso.browser('ignore');
    try {
      const started = Date.now();
      const result = await call('sso.signIn', { session: 'corp' }, quick);
      assert.ok(Date.now() - started < 10_000);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(
          result.error.message,
          'The browser did not come back from the IAM Identity Center sign-in within 2 s. Run `keytray sso login corp` again and finish the sign-in in the browser, or add --device-code to sign in from another device.',
        );
      }
      assert.equal(quick.signIns.current(), null);
    } finally {
      sb.emu.sso.browser('approve');
      await quick.stop();
    }
  });

  it('signs out from the window: the tokens and the role sessions built on them are gone', async () => {
    await ok('sso.signIn', { session: 'corp' });
    assert.equal((await ok('sessions.start', { profile: deploy })).status, 'started');
    assert.ok(app.vault.store.getSession(devAdmin) && app.vault.store.getSession(deploy));
    sb.emu.resetCalls();
    const out = await ok('sso.signOut', { session: 'corp' });
    assert.equal(out.hadToken, true);
    assert.deepEqual([...out.clearedProfiles].sort(), [devAdmin, deploy].sort());
    assert.equal(sb.emu.count('Logout', true), 1);
    assert.equal(app.vault.store.getSsoToken('corp'), null);
    assert.equal(app.vault.store.getSession(devAdmin), null);
    assert.equal(app.vault.store.getSession(deploy), null);
    const row = (await list()).ssoSessions.find((s) => s.name === 'corp');
    assert.equal(row?.secondsLeft, null);
    assert.equal(row?.timeLeftText, 'signed out');
    app.refresh();
    assert.match(trayText(), /"label":"corp — signed out"/);
  });

  it('populates from the window: a dry run, the profiles written, no change the second time, and prune', async () => {
    await ok('sso.signIn', { session: 'corp' });
    sb.emu.sso.assign('dana', { accountId: PROD, accountName: 'prod', roleName: 'Admin' });
    const before = fs.readFileSync(sb.configFile, 'utf8');
    const dry = await ok('sso.populate', { session: 'corp', dryRun: true });
    assert.deepEqual(dry.added, [{ profile: 'prod-Admin', accountId: PROD, accountName: 'prod', roleName: 'Admin' }]);
    assert.equal(dry.kept, 2);
    assert.equal(dry.dryRun, true);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before, 'a dry run writes nothing');

    const applied = await ok('sso.populate', { session: 'corp', prefix: 'team-' });
    assert.deepEqual(applied.added.map((a) => a.profile), ['team-prod-Admin']);
    assert.equal(applied.configFile, sb.configFile);
    const after = fs.readFileSync(sb.configFile, 'utf8');
    assert.ok(after.startsWith(before), 'every byte before is kept');
    assert.match(after.slice(before.length), /^\n\[profile team-prod-Admin\]\nkeytray_sso_session = corp\nkeytray_sso_account_id = 333333333333\nkeytray_sso_role_name = Admin\ncredential_process = \/opt\/Keytray\/bin\/keytray credential-process team-prod-Admin\n$/);
    const row = await until('the new profile in the list', async () => (await list()).profiles.find((p) => p.name === 'team-prod-Admin'));
    assert.equal(row.accountName, 'prod');
    assert.equal(row.group, 'prod');

    const again = await ok('sso.populate', { session: 'corp', prefix: 'team-' });
    assert.deepEqual(again.added, []);
    assert.equal(again.kept, 3);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), after);

    sb.emu.sso.unassign('dana', PROD, 'Admin');
    const listed = await ok('sso.populate', { session: 'corp' });
    assert.deepEqual(listed.gone, [{ profile: 'team-prod-Admin', accountId: PROD, roleName: 'Admin' }]);
    assert.equal(listed.removed, false);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), after, 'listed, not removed');
    const pruned = await ok('sso.populate', { session: 'corp', prune: true });
    assert.equal(pruned.removed, true);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before, 'pruning gives back the file as it was');
    assert.ok(app.activity.list().some((e) => e.kind === 'config' && /IAM Identity Center session "corp": added 1 profile/.test(e.summary)));
  });

  it('a served request with no token shows one sign-in naming the program, and 8 parallel requests share it', async () => {
    await ok('sso.signOut', { session: 'corp' });
    // Forgotten, to show that a sign-in the agent started teaches the app the names as well.
    fs.rmSync(path.join(sb.dataDir, 'sso-accounts.json'));
    sb.emu.resetCalls();
    const pagesBefore = sb.emu.sso.pagesOpened().authorize;
    // The person does not finish at first: the view stays up while the eight wait.
    sb.emu.sso.browser('ignore');
    const requests = Array.from({ length: 8 }, () => sb.keytray(['credential-process', devAdmin]));
    const view = await waitForView();
    assert.equal(view.service, 'IAM Identity Center');
    assert.equal(view.target, 'corp');
    assert.equal(view.requestedProfile, devAdmin);
    // The CLI names its parent, the program that ran credential_process: this test process.
    assert.equal(view.requester?.pid, process.pid);
    assert.ok(view.requester?.command);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(app.signIns.current()?.queued, 0, 'one sign-in for all eight');
    assert.equal(app.signIns.pendingCount, 1);
    app.refresh();
    assert.match(trayText(), /Continue sign-in in the browser… \(1 waiting\)/);

    // The person closed the tab: the window opens the page again, and this time they finish.
    sb.emu.sso.browser('approve');
    assert.deepEqual(await call('signin.reopen', { id: view.id }), { ok: true, value: { opened: true } });
    const results = await Promise.all(requests);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    for (const r of results) assert.match(await sb.identityOf(parseCredentialDocument(r.stdout)), /:assumed-role\/AWSReservedSSO_Admin_/);
    assert.equal(sb.emu.count('CreateToken', true), 1, 'one CreateToken');
    assert.equal(sb.emu.calls.filter((c) => c.action === 'GetRoleCredentials').length, 1, 'one GetRoleCredentials');
    assert.equal(sb.emu.sso.pagesOpened().authorize - pagesBefore, 2, 'the page, and the page reopened');
    assert.equal(app.signIns.current(), null);
    assert.equal(promptWindow.at(-1), 'hide');
    const row = await until('the account name learnt after the served sign-in', async () => (await list()).profiles.find((p) => p.name === devAdmin && p.accountName === 'dev'));
    assert.equal(row.group, 'dev');
  });

  it('populated profiles appear without a restart: `keytray sso populate` from the CLI while the app runs', async () => {
    sb.emu.sso.assign('dana', { accountId: PROD, accountName: 'prod', roleName: 'Billing' });
    const r = await sb.keytray(['sso', 'populate', 'corp']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^added {2}prod-Billing {2}\(prod 333333333333, Billing\)$/m);
    const row = await until('the populated profile in a pushed list', () => lastList()?.profiles.find((p) => p.name === 'prod-Billing'));
    assert.equal(row.kind, 'sso');
    assert.equal(row.accountName, 'prod');
    assert.equal(row.group, 'prod');
    assert.deepEqual(lastList()?.ssoSessions.find((s) => s.name === 'corp')?.profiles, [devAdmin, prodRead, 'prod-Billing']);
    sb.writeConfig(baseConfig);
  });

  it('the tray signs in, signs out and populates, and tells the outcome or the failure in one line', async () => {
    notifications.length = 0;
    await app.runTrayAction({ type: 'sso-sign-out', session: 'corp' });
    assert.equal(notifications.at(-1), 'Signed out: IAM Identity Center session "corp": its tokens and role credentials are gone.');
    await app.runTrayAction({ type: 'sso-sign-in', session: 'corp' });
    assert.match(notifications.at(-1)!, /^Signed in: IAM Identity Center session "corp": (59 min|1 h) left; it renews by itself\.$/);
    await app.runTrayAction({ type: 'sso-populate', session: 'corp' });
    assert.match(notifications.at(-1)!, /^Profiles for your accounts: Added 1 profile\(s\) from "corp"; 2 already there\.$/);
    sb.writeConfig(baseConfig);
    await app.runTrayAction({ type: 'sso-sign-in', session: 'half' });
    assert.match(notifications.at(-1)!, /^Keytray: \[sso-session half\] in .* \(line \d+\) has no sso_region\. Add sso_start_url = .*\.$/);
    assert.doesNotMatch(notifications.at(-1)!, /\n/);
  });

  describe('AWS Sign-In (login profiles)', () => {
    let web: string;
    let arn: string;
    before(() => {
      web = sb.name('web');
      arn = sb.emu.createUser(web).arn;
      sb.emu.signin.browserSignsIn(web);
      sb.writeConfig(`${baseConfig}\n[profile ${web}]\nregion = eu-west-1\n`);
    });

    it('signs in from the window: the list shows the principal and both time-left figures, and the profile is wired', async () => {
      const signedIn = await ok('login.signIn', { profile: web });
      assert.equal(signedIn.status, 'signed-in');
      assert.equal(signedIn.principal, arn);
      assert.equal(signedIn.region, 'eu-west-1');
      assert.equal(signedIn.addedSection, false);
      assert.ok(signedIn.signInSecondsLeft > 12 * 3600 - 120 && signedIn.signInSecondsLeft <= 12 * 3600, String(signedIn.signInSecondsLeft));
      assert.ok(signInViews().some((v) => v?.service === 'AWS Sign-In' && v.target === web && v.mode === 'browser'), 'the prompt window said to continue in the browser');
      assert.equal(app.signIns.current(), null);
      assert.match(fs.readFileSync(sb.configFile, 'utf8'), new RegExp(`\\[profile ${web}\\]\\nregion = eu-west-1\\nkeytray_login_session = ${arn.replace(/[/]/g, '\\/')}\\ncredential_process = /opt/Keytray/bin/keytray credential-process ${web}\\n`));
      const row = await until('the login row', async () => (await list()).profiles.find((p) => p.name === web && p.kind === 'login'));
      assert.equal(row.loginPrincipal, arn);
      assert.match(row.signInTimeLeftText ?? '', /^(11 h 5\d min|12 h) left$/);
      assert.match(row.timeLeftText, /^1[45] min left$/, 'the credentials themselves last 15 minutes');
      app.refresh();
      const item = JSON.stringify(tray.template);
      assert.match(item, /"label":"Sign in… \((11 h 5\d min|12 h) left\)","action":\{"type":"login-sign-in"/);
      assert.match(item, new RegExp(`"label":"Sign out","enabled":true,"action":\\{"type":"login-sign-out","profile":"${web}"`));
    });

    it('refuses a profile that cannot be a sign-in profile before the prompt window says anything', async () => {
      const before = signInViews().length;
      const result = await call('login.signIn', { profile: devAdmin });
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error.message, new RegExp(`^Profile "${devAdmin}" in .* \\(line \\d+\\) has sso_session, so it is not a sign-in profile\\. `));
      assert.equal(signInViews().length, before, 'no sign-in view came and went');
    });

    it('signs out from the window and the tray', async () => {
      const out = await ok('login.signOut', { profile: web });
      assert.equal(out.hadSession, true);
      assert.equal(app.vault.store.getLoginSession(web), null);
      const row = (await list()).profiles.find((p) => p.name === web);
      assert.equal(row?.signInTimeLeftText, 'not signed in');
      assert.equal(row?.timeLeftText, 'no session');
      await app.runTrayAction({ type: 'login-sign-in', profile: web });
      assert.match(notifications.at(-1)!, new RegExp(`^Signed in: Profile "${web}" as ${arn.replace(/[/]/g, '\\/')}; the sign-in lasts (11 h 5\\d min|12 h)\\.$`));
      await app.runTrayAction({ type: 'login-sign-out', profile: web });
      assert.equal(notifications.at(-1), `Signed out: Profile "${web}": its sign-in and credentials are gone.`);
    });

    it('a cancel in the window ends the AWS Sign-In wait with one line', async () => {
      sb.emu.signin.browserNeverReturns();
      try {
        const running = call('login.signIn', { profile: web });
        const view = await waitForView((v) => v.service === 'AWS Sign-In');
        const started = Date.now();
        assert.deepEqual(await call('signin.cancel', { id: view.id }), { ok: true, value: { cancelled: true } });
        const result = await running;
        assert.ok(Date.now() - started < 1000);
        assert.equal(result.ok, false);
        if (!result.ok) assert.equal(result.error.message, `The sign-in of profile "${web}" with AWS Sign-In was cancelled in the Keytray window. Sign in again from the window or the tray, or run \`keytray login ${web}\`.`);
        assert.equal(app.signIns.current(), null);
        assert.equal(promptWindow.at(-1), 'hide');
      } finally {
        sb.emu.signin.browserSignsIn(web);
      }
    });

    it('a second Sign in while one is open joins it: one view, one browser page, one session', async () => {
      const pagesBefore = opened().length;
      const viewsBefore = signInViews().filter((v) => v?.service === 'AWS Sign-In').map((v) => v!.id);
      const [first, second] = await Promise.all([ok('login.signIn', { profile: web }), ok('login.signIn', { profile: web })]);
      assert.deepEqual(second, first, 'both callers read the one sign-in');
      const views = new Set(signInViews().filter((v) => v?.service === 'AWS Sign-In' && !viewsBefore.includes(v.id)).map((v) => v!.id));
      assert.equal(views.size, 1, 'the prompt window showed one sign-in');
      assert.equal(opened().length - pagesBefore, 1, `one browser page: ${JSON.stringify(opened().slice(pagesBefore))}`);
      assert.equal(app.vault.store.getLoginSession(web)?.loginSession, arn);
    });

    it('Remove forgets a login profile\'s sign-in session too', async () => {
      await ok('login.signIn', { profile: web });
      assert.ok(app.vault.store.getLoginSession(web));
      const removed = await ok('profiles.remove', { profile: web });
      assert.equal(removed.forgotSignIn, true);
      assert.equal(removed.removedKey, false);
      assert.equal(app.vault.store.getLoginSession(web), null);
      await ok('login.signIn', { profile: web });
      const cli = await sb.keytray(['remove', web, '--yes']);
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(cli.stdout, `Removed the sign-in session and 0 cached session(s) for profile "${web}".\n`);
      // The CLI wrote the keychain itself: the app hears of it through the generation marker.
      await until('the app to see the sign-in gone', () => app.vault.store.getLoginSession(web) === null);
    });
  });
});
