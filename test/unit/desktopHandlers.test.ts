import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createVault, type Vault } from '../../electron/core/vault';
import { readActiveProfile } from '../../electron/core/settings';
import { ActivityLog } from '../../electron/desktop/activityLog';
import { ExpiringClipboard, type TimerLike } from '../../electron/desktop/clipboardExport';
import { createHandlerTable } from '../../electron/desktop/handlerTable';
import { callHandler, type HandlerTable } from '../../electron/ipc/ipcDoor';
import type { Channel, IpcResult, RequestOf, ResponseOf } from '../../electron/ipc/contract';
import { createSandbox, type Sandbox } from '../integration/harness';
import type { EmulatorUser, MfaDevice } from '../emulator';

/**
 * The handler table over the real core: the OS keychain (run-with-keyring.sh), the STS emulator,
 * real files. Calls go through `callHandler`, the same door as Electron's IPC and dev:web.
 */
describe('IPC handlers over the real vault', () => {
  let sb: Sandbox;
  let vault: Vault;
  let table: HandlerTable;
  let activity: ActivityLog;
  let clipboardText = '';
  /** What the host was told through setStartAtLogin (Electron's login item settings). */
  const startAtLoginCalls: boolean[] = [];
  const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
  let alice: EmulatorUser;
  let mfa: MfaDevice;
  let roleArn: string;
  let user: string;
  let role: string;
  /** Everything the renderer received, to check no secret ever reached it. */
  const sentToRenderer: string[] = [];

  async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>> {
    const result = (await callHandler(table, channel, request)) as IpcResult<ResponseOf<C>>;
    sentToRenderer.push(JSON.stringify(result));
    return result;
  }
  async function ok<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    const result = await call(channel, request);
    assert.ok(result.ok, `${channel} failed: ${JSON.stringify(result)}`);
    return result.value;
  }

  before(async () => {
    sb = await createSandbox();
    ({ user, role, key: alice, mfa, roleArn } = sb.userWithMfaRole());
    vault = createVault({ env: sb.env });
    activity = new ActivityLog();
    const fakeTimers: TimerLike = {
      setTimeout: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        timers.push(t);
        return t;
      },
      clearTimeout: (h) => void ((h as { cleared: boolean }).cleared = true),
    };
    table = createHandlerTable({
      vault,
      activity,
      clipboard: new ExpiringClipboard({ writeText: async (t) => void (clipboardText = t), readText: async () => clipboardText }, fakeTimers),
      launcherPath: () => '/opt/Keytray/bin/keytray',
      setStartAtLogin: (enabled) => void startAtLoginCalls.push(enabled),
    });
  });

  after(async () => {
    vault?.store.deleteLongTermKey(user);
    vault?.store.clearSessions(user);
    vault?.store.clearSessions(role);
    const secrets = [alice.secretAccessKey, alice.accessKeyId];
    for (const text of [...sentToRenderer, JSON.stringify(activity.list())]) {
      for (const s of secrets) assert.ok(!text.includes(s), `a secret ending ${s.slice(-4)} reached the renderer or the log`);
    }
    await sb?.close();
  });

  it('refuses a temporary key in the add form, naming the field', async () => {
    const result = await call('profiles.addUser', { profile: user, accessKeyId: 'ASIAEXAMPLEEXAMPLE12', secretAccessKey: 'x'.repeat(40) });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.match(result.error.fields?.accessKeyId ?? '', /temporary \(ASIA…\) session key/);
      assert.doesNotMatch(result.error.message, /ASIAEXAMPLE/);
    }
    assert.equal(fs.existsSync(sb.configFile), false, 'nothing was written');
  });

  it('puts a bad key ID under the key ID field even when the profile name says "secret"', async () => {
    const profile = sb.name('secret-ops');
    const result = await call('profiles.addUser', { profile, accessKeyId: 'AKIA-not-a-key', secretAccessKey: 'x'.repeat(40) });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.deepEqual(Object.keys(result.error.fields ?? {}), ['accessKeyId']);
      assert.match(result.error.fields?.accessKeyId ?? '', /is not an AWS access key ID/);
    }
    const badSecret = await call('profiles.addUser', { profile, accessKeyId: alice.accessKeyId, secretAccessKey: 'too short' });
    assert.equal(badSecret.ok, false);
    if (!badSecret.ok) {
      assert.deepEqual(Object.keys(badSecret.error.fields ?? {}), ['secretAccessKey']);
      assert.match(badSecret.error.fields?.secretAccessKey ?? '', /The secret access key is malformed/);
    }
    assert.equal(vault.store.getLongTermKey(profile), null, 'no key was stored');
    assert.equal(fs.existsSync(sb.configFile), false, 'nothing was written');
  });

  it('stores a user key in the keychain and adds the profile to the config, answering with a masked hint', async () => {
    const added = await ok('profiles.addUser', {
      profile: user,
      accessKeyId: alice.accessKeyId,
      secretAccessKey: alice.secretAccessKey,
      region: 'us-east-1',
      mfaSerial: mfa.serial,
    });
    assert.deepEqual(added, { profile: user, accessKeyIdHint: `****************${alice.accessKeyId.slice(-4)}`, addedSection: true, replaced: false });
    assert.equal(vault.store.getLongTermKey(user)?.secretAccessKey, alice.secretAccessKey);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), `[profile ${user}]\nregion = us-east-1\nmfa_serial = ${mfa.serial}\n`);
  });

  it('validates the role form inline with the messages a user reads', async () => {
    const errors = await ok('profiles.validate', {
      form: 'role',
      isNew: true,
      profile: 'bad name',
      fields: { roleArn: 'arn:aws:iam::12:role/x', sourceProfile: 'nobody', durationSeconds: '60' },
    });
    assert.match(errors.profile, /cannot contain spaces/);
    assert.match(errors.roleArn, /account ID "12" should be 12 digits/);
    assert.equal(errors.sourceProfile, 'There is no profile "nobody".');
    assert.match(errors.durationSeconds, /from 900 \(15 minutes\) to 43200/);
    const saved = await call('profiles.saveRole', { profile: role, isNew: true, roleArn: 'nope', sourceProfile: user });
    assert.equal(saved.ok, false);
    if (!saved.ok) assert.deepEqual(Object.keys(saved.error.fields ?? {}), ['roleArn']);
  });

  it('adds a role profile through the lossless writer, keeping the rest of the file', async () => {
    fs.appendFileSync(sb.configFile, '\n# my notes stay\n');
    await ok('profiles.saveRole', { profile: role, isNew: true, roleArn, sourceProfile: user, durationSeconds: '', region: '' });
    const text = fs.readFileSync(sb.configFile, 'utf8');
    assert.ok(text.startsWith(`[profile ${user}]\nregion = us-east-1\nmfa_serial = ${mfa.serial}\n\n# my notes stay\n`), text);
    assert.ok(text.endsWith(`[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\n`), text);
    const list = await ok('profiles.list', {});
    const row = list.profiles.find((p) => p.name === role);
    assert.equal(row?.group, user, 'a role is grouped under the user its chain ends at');
    assert.equal(row?.account, roleArn.split(':')[4]);
  });

  it('refuses to store a user key under a role profile, leaving the file and the keychain alone', async () => {
    const before = fs.readFileSync(sb.configFile, 'utf8');
    try {
      const result = await call('profiles.addUser', { profile: role, accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey, region: 'eu-west-1' });
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error.message, new RegExp(`Profile "${role}" is a role profile, not a user profile`));
      assert.equal(vault.store.getLongTermKey(role), null);
      assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before);
    } finally {
      vault.store.deleteLongTermKey(role);
    }
  });

  it('asks for an MFA code before starting the role session, then starts it with the typed code', async () => {
    const first = await ok('sessions.start', { profile: role });
    assert.deepEqual(first, { status: 'mfa-needed', profile: user, serial: mfa.serial });
    assert.equal(sb.emu.count('GetSessionToken'), 0);
    const started = await ok('sessions.start', { profile: role, mfaCode: mfa.unusedCode() });
    assert.equal(started.status, 'started');
    if (started.status === 'started') assert.ok(started.secondsLeft! > 3000 && started.secondsLeft! <= 3600, String(started.secondsLeft));
    const list = await ok('profiles.list', {});
    assert.ok(list.profiles.find((p) => p.name === role)!.sessionSecondsLeft! > 3000);
    // One code covered the chain: the user's MFA session, reused to assume the role.
    assert.equal(sb.emu.count('GetSessionToken', true), 1);
    assert.equal(sb.emu.count('AssumeRole', true), 1);
  });

  it('copies the env export to the clipboard from main and clears it after 30 s', async () => {
    const copied = await ok('env.copy', { profile: role, format: 'sh' });
    assert.deepEqual(copied, { status: 'copied', profile: role, clearsAfterSeconds: 30 });
    assert.match(clipboardText, /^unset AWS_SECURITY_TOKEN\n/);
    assert.match(clipboardText, /export AWS_SESSION_TOKEN='/);
    const pending = timers.filter((t) => !t.cleared);
    assert.equal(pending.length, 1);
    assert.equal(pending[0].ms, 30_000);
    pending[0].fn();
    await new Promise((r) => setImmediate(r));
    assert.equal(clipboardText, '');
  });

  it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
    await ok('env.copy', { profile: role, format: 'json' });
    clipboardText = 'something the user copied';
    timers.filter((t) => !t.cleared).at(-1)!.fn();
    await new Promise((r) => setImmediate(r));
    assert.equal(clipboardText, 'something the user copied');
  });

  it('makes a profile active for `credential-process --active`, and refuses an unknown one', async () => {
    assert.deepEqual(await ok('profiles.makeActive', { profile: role }), { active: role });
    assert.equal(readActiveProfile(sb.dataDir), role);
    const unknown = await call('profiles.makeActive', { profile: 'nobody-here' });
    assert.equal(unknown.ok, false);
    if (!unknown.ok) assert.equal(unknown.error.code, 'unknown-profile');
    assert.equal((await ok('profiles.list', {})).profiles.find((p) => p.name === role)?.active, true);
  });

  it('wires a profile to credential_process and back with the setup toggle, byte for byte', async () => {
    const before = fs.readFileSync(sb.configFile, 'utf8');
    assert.deepEqual(await ok('setup.toggle', { profile: role, enabled: true }), { profile: role, managedByKeytray: true });
    const wired = fs.readFileSync(sb.configFile, 'utf8');
    assert.match(wired, new RegExp(`keytray_role_arn = ${roleArn.replace(/[/]/g, '\\/')}`));
    assert.match(wired, new RegExp(`credential_process = /opt/Keytray/bin/keytray credential-process ${role}`));
    // Editing a wired profile writes the keytray_ key, so the AWS CLI keeps asking Keytray.
    await ok('profiles.saveRole', { profile: role, isNew: false, roleArn, sourceProfile: user, durationSeconds: '1800' });
    assert.match(fs.readFileSync(sb.configFile, 'utf8'), /keytray_duration_seconds = 1800/);
    await ok('profiles.saveRole', { profile: role, isNew: false, roleArn, sourceProfile: user, durationSeconds: '' });
    assert.deepEqual(await ok('setup.toggle', { profile: role, enabled: false }), { profile: role, managedByKeytray: false });
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before);
  });

  it("returns a profile's editable settings for the edit form, and only a hint of its key", async () => {
    const details = await ok('profiles.details', { profile: role });
    assert.deepEqual(details, { profile: role, kind: 'role', fields: { roleArn, sourceProfile: user }, managedByKeytray: false, hasKey: false, accessKeyIdHint: undefined });
    const userDetails = await ok('profiles.details', { profile: user });
    assert.deepEqual(userDetails.fields, { region: 'us-east-1', mfaSerial: mfa.serial });
    assert.equal(userDetails.accessKeyIdHint?.slice(-4), alice.accessKeyId.slice(-4));
  });

  it('ends sessions and locks', async () => {
    const ended = await ok('sessions.end', { profile: user });
    assert.deepEqual(ended.cleared.sort(), [role, user].sort());
    const locked = await ok('sessions.lock', {});
    assert.deepEqual(locked.cleared, []);
    assert.ok(activity.list().some((e) => e.kind === 'locked'));

    assert.equal((await ok('sessions.start', { profile: user, mfaCode: mfa.unusedCode() })).status, 'started');
    assert.ok(vault.store.getSession(user), 'a session is running before the lock');
    const lockedWithSession = await ok('sessions.lock', {});
    assert.deepEqual(lockedWithSession.cleared, [user]);
    assert.equal(vault.store.getSession(user), null);
    assert.equal((await ok('profiles.list', {})).profiles.find((p) => p.name === user)?.sessionSecondsLeft, null);
    assert.equal(activity.list()[0].summary, 'Locked: ended 1 session(s).');
  });

  it('imports plaintext keys without showing them, and removes the plaintext copies', async () => {
    const bob = sb.name('bob');
    const bobUser = sb.emu.createUser(bob);
    fs.writeFileSync(sb.credentialsFile, `# keep me\n\n[${bob}]\naws_access_key_id = ${bobUser.accessKeyId}\naws_secret_access_key = ${bobUser.secretAccessKey}\n`);
    try {
      const scan = await ok('import.scan', {});
      const candidate = scan.candidates.find((c) => c.profile === bob);
      assert.ok(candidate);
      assert.equal(candidate.accessKeyIdHint.slice(-4), bobUser.accessKeyId.slice(-4));
      assert.ok(!JSON.stringify(scan).includes(bobUser.secretAccessKey));
      assert.ok(!JSON.stringify(scan).includes(bobUser.accessKeyId));
      const result = await ok('import.apply', { candidates: [candidate.id], removePlaintext: true });
      assert.deepEqual(result, { imported: [bob], removedFrom: [sb.credentialsFile] });
      assert.equal(vault.store.getLongTermKey(bob)?.secretAccessKey, bobUser.secretAccessKey);
      assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), '# keep me\n');
      assert.match(fs.readFileSync(sb.configFile, 'utf8'), new RegExp(`\\[profile ${bob}\\]`));
    } finally {
      vault.store.deleteLongTermKey(bob);
    }
  });

  it('saves settings and tells the host about start at login', async () => {
    const s = await ok('settings.set', { mfaSessionSeconds: 4 * 3600, lockOnSleep: false });
    assert.equal(s.mfaSessionSeconds, 14400);
    assert.equal(s.lockOnSleep, false);
    assert.deepEqual(await ok('settings.get', {}), s);
    assert.deepEqual(startAtLoginCalls, [], 'start at login did not change, so the host was not told');

    assert.equal((await ok('settings.set', { startAtLogin: true })).startAtLogin, true);
    assert.deepEqual(startAtLoginCalls, [true]);
    await ok('settings.set', { startAtLogin: true });
    assert.deepEqual(startAtLoginCalls, [true], 'only a change reaches the host');
  });

  it('clears a field of a wired profile that still has the plain key, so the old value is gone', async () => {
    const wired = sb.name('wired');
    const section =
      `[profile ${wired}]\ncredential_process = /opt/Keytray/bin/keytray credential-process ${wired}\n` +
      `keytray_role_arn = ${roleArn}\nkeytray_source_profile = ${user}\nmfa_serial = ${mfa.serial}\n`;
    fs.appendFileSync(sb.configFile, `\n${section}`);
    assert.equal((await ok('profiles.details', { profile: wired })).fields.mfaSerial, mfa.serial);

    await ok('profiles.saveRole', { profile: wired, isNew: false, roleArn, sourceProfile: user, mfaSerial: '' });
    const details = await ok('profiles.details', { profile: wired });
    assert.equal(details.fields.mfaSerial, undefined, 'the edit form no longer shows the cleared serial');
    assert.deepEqual(details.fields, { roleArn, sourceProfile: user });
    assert.equal(details.managedByKeytray, true);
    const text = fs.readFileSync(sb.configFile, 'utf8');
    assert.ok(!text.includes('mfa_serial', text.indexOf(`[profile ${wired}]`)), text);
    assert.ok(
      text.endsWith(`[profile ${wired}]\ncredential_process = /opt/Keytray/bin/keytray credential-process ${wired}\nkeytray_role_arn = ${roleArn}\nkeytray_source_profile = ${user}\n`),
      text,
    );
  });
});
