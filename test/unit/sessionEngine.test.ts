import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { AwsConfig } from '../../electron/core/config/awsConfig';
import { KeytrayError } from '../../electron/core/errors';
import type { SecretBackend } from '../../electron/core/keychain/secretBackend';
import { VaultStore } from '../../electron/core/keychain/vaultStore';
import { mfaCodeProvider, optionCodeSource, type MfaCodeSource } from '../../electron/core/mfa/mfaCodeSources';
import { TotpReuseGuard } from '../../electron/core/mfa/totpReuseGuard';
import { SessionEngine } from '../../electron/core/sessions/sessionEngine';
import { createSdkStsGateway } from '../../electron/core/sts/stsGateway';
import { startEmulator, type Emulator, type MfaDevice } from '../emulator';

/**
 * The session engine's decisions, against the strict emulator: which STS call it makes for which
 * profile shape, how long sessions last, when a cached one is reused, and how many prompts a burst
 * of requests costs. The keychain is an in-memory map here; the integration suite uses the real one.
 */
class MemoryBackend implements SecretBackend {
  readonly items = new Map<string, string>();
  get = (a: string) => this.items.get(a) ?? null;
  set = (a: string, v: string) => void this.items.set(a, v);
  delete = (a: string) => this.items.delete(a);
  list = () => [...this.items].map(([account, value]) => ({ account, value }));
}

describe('SessionEngine', () => {
  let emu: Emulator;
  let device: MfaDevice;
  let dir: string;
  let configText: string;
  let store: VaultStore;
  let engine: SessionEngine;
  let prompts: number;
  let adminArn: string;

  before(async () => {
    emu = await startEmulator();
    const user = emu.createUser('eve');
    device = emu.enableMfa('eve');
    const admin = emu.createRole({ name: 'Admin', trustedPrincipals: [user.arn], requireMfa: true, maxSessionDuration: 4 * 3600 }).arn;
    adminArn = admin;
    const audit = emu.createRole({ name: 'Audit', trustedPrincipals: [admin] }).arn;
    const longer = emu.createRole({ name: 'Long', trustedPrincipals: [user.arn], requireMfa: true, maxSessionDuration: 4 * 3600 }).arn;
    configText = [
      '[profile eve]',
      `mfa_serial = ${device.serial}`,
      '',
      '[profile admin]',
      `role_arn = ${admin}`,
      'source_profile = eve',
      '',
      '[profile audit]',
      `role_arn = ${audit}`,
      'source_profile = admin',
      'duration_seconds = 7200',
      '',
      '[profile long]',
      `keytray_role_arn = ${longer}`,
      'keytray_source_profile = eve',
      'keytray_duration_seconds = 10800',
      '',
    ].join('\n');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-engine-'));
    const backend = new MemoryBackend();
    store = new VaultStore(backend);
    store.setLongTermKey('eve', { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, storedAt: 0 });
    engine = new SessionEngine({
      loadConfig: () => AwsConfig.fromText(configText, 'config'),
      store,
      stsFor: (region) => createSdkStsGateway(region, { AWS_ENDPOINT_URL: emu.url }),
      guard: new TotpReuseGuard(path.join(dir, 'mfa-used.json'), emu.clock),
      clock: emu.clock,
    });
  });

  after(async () => {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    // Each test gets fresh TOTP codes: STS accepts a code once, and a window holds only three.
    emu.clock.advance(90_000);
    store.clearSessions();
    emu.resetCalls();
    emu.clearFaults();
    prompts = 0;
  });

  /** Who STS says the credentials belong to. */
  const identityOf = async (c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    (await createSdkStsGateway('us-east-1', { AWS_ENDPOINT_URL: emu.url }).getCallerIdentity(c)).arn;

  /** A prompter that counts, as the tray window or /dev/tty would be counted by a user. */
  const ctx = () => {
    const countingPrompt: MfaCodeSource = async () => {
      prompts++;
      return device.unusedCode();
    };
    return { mfa: mfaCodeProvider([countingPrompt]) };
  };

  test('a role from an MFA user reuses the user\'s MFA session: one prompt for the chain', async () => {
    const admin = await engine.getCredentials({ profile: 'admin' }, ctx());
    const audit = await engine.getCredentials({ profile: 'audit' }, ctx());
    assert.equal(prompts, 1);
    assert.equal(emu.count('GetSessionToken', true), 1);
    assert.equal(emu.count('AssumeRole', true), 2);
    assert.equal(admin.source, 'sts');
    assert.match(admin.credentials.accessKeyId, /^ASIA/);
    // The chained role asked for 2 h; AWS allows 1 h for role chaining.
    assert.ok(audit.credentials.expiration! - emu.clock.now() <= 3600_000);
  });

  test('ten concurrent requests for a cold profile make one STS call and one prompt', async () => {
    const all = await Promise.all(Array.from({ length: 10 }, () => engine.getCredentials({ profile: 'admin' }, ctx())));
    assert.equal(prompts, 1);
    assert.equal(emu.count('GetSessionToken'), 1);
    assert.equal(emu.count('AssumeRole'), 1);
    assert.equal(new Set(all.map((a) => a.credentials.accessKeyId)).size, 1, 'every waiter gets the same session');
  });

  test('a duration over one hour assumes straight from the long-term key with MFA on the call', async () => {
    const long = await engine.getCredentials({ profile: 'long' }, ctx());
    assert.equal(emu.count('GetSessionToken'), 0);
    assert.equal(emu.count('AssumeRole', true), 1);
    const left = long.credentials.expiration! - emu.clock.now();
    assert.ok(left > 2.9 * 3600_000 && left <= 3 * 3600_000, `${left} ms left`);
  });

  test('a cached session is reused while more than 15 minutes remain, then renewed without a prompt', async () => {
    await engine.getCredentials({ profile: 'admin' }, ctx());
    const again = await engine.getCredentials({ profile: 'admin' }, ctx());
    assert.equal(again.source, 'cache');
    emu.clock.advance(46 * 60_000); // 14 min left on the 1 h role session; the 8 h MFA session is fine
    const renewed = await engine.getCredentials({ profile: 'admin' }, ctx());
    assert.equal(renewed.source, 'sts');
    assert.equal(prompts, 1, 'the MFA session covered the renewal');
    assert.equal(emu.count('AssumeRole', true), 2);
  });

  test('the 15-minute reuse margin: 16 minutes left is served from the cache, 14 minutes left is renewed', async () => {
    const first = await engine.getCredentials({ profile: 'admin' }, ctx());
    const expiration = first.credentials.expiration!;
    emu.clock.advance(expiration - emu.clock.now() - 16 * 60_000);
    const at16 = await engine.getCredentials({ profile: 'admin' }, ctx());
    assert.equal(at16.source, 'cache');
    assert.equal(at16.credentials.accessKeyId, first.credentials.accessKeyId);
    emu.clock.advance(2 * 60_000);
    const at14 = await engine.getCredentials({ profile: 'admin' }, ctx());
    assert.equal(at14.source, 'sts');
    assert.notEqual(at14.credentials.accessKeyId, first.credentials.accessKeyId);
  });

  test('editing the role in the config invalidates its cached session', async () => {
    await engine.getCredentials({ profile: 'audit' }, ctx());
    const original = configText;
    configText = configText.replace('source_profile = admin\n', 'source_profile = admin\nexternal_id = changed\n');
    try {
      const assumed = emu.count('AssumeRole', true);
      const served = await engine.getCredentials({ profile: 'audit' }, ctx());
      assert.equal(served.source, 'sts');
      assert.equal(emu.count('AssumeRole', true), assumed + 1, 'a fresh AssumeRole with the new settings');
    } finally {
      configText = original;
    }
  });

  test('with no way to get a code, a still-valid session is served with a warning', async () => {
    await engine.getCredentials({ profile: 'eve' }, ctx());
    emu.clock.advance(7 * 3600_000 + 50 * 60_000); // 10 minutes left on the 8 h MFA session
    const served = await engine.getCredentials({ profile: 'eve' }, { mfa: mfaCodeProvider([]) });
    assert.equal(served.source, 'cache');
    assert.match(served.warnings.join(), /expires in \d+ min and no MFA code source/);
    emu.clock.advance(15 * 60_000);
    await assert.rejects(engine.getCredentials({ profile: 'eve' }, { mfa: mfaCodeProvider([]) }), (e: KeytrayError) => e.code === 'mfa-required');
  });

  test('with no way to get a code, a session is served down to its last minute and not after', async () => {
    const first = await engine.getCredentials({ profile: 'eve' }, ctx());
    const expiration = first.credentials.expiration!;
    // 61 s left: still worth serving, a tool can finish a call with it.
    emu.clock.advance(expiration - emu.clock.now() - 61_000);
    const served = await engine.getCredentials({ profile: 'eve' }, { mfa: mfaCodeProvider([]) });
    assert.equal(served.source, 'cache');
    assert.equal(served.credentials.accessKeyId, first.credentials.accessKeyId);
    // 59 s left: too little to hand out; the user must give a code.
    emu.clock.advance(2_000);
    await assert.rejects(engine.getCredentials({ profile: 'eve' }, { mfa: mfaCodeProvider([]) }), (e: KeytrayError) => e.code === 'mfa-required');
  });

  test('with no way to get a code, a session made from since-edited settings is not served', async () => {
    await engine.getCredentials({ profile: 'eve' }, ctx());
    const original = configText;
    configText = configText.replace(`mfa_serial = ${device.serial}`, 'mfa_serial = arn:aws:iam::123456789012:mfa/other-device');
    try {
      await assert.rejects(
        engine.getCredentials({ profile: 'eve' }, { mfa: mfaCodeProvider([]) }),
        (e: KeytrayError) => e.code === 'mfa-required' && /other-device/.test(e.message),
      );
    } finally {
      configText = original;
    }
    // The old session itself is untouched: with the settings back, it is served again.
    const served = await engine.getCredentials({ profile: 'eve' }, { mfa: mfaCodeProvider([]) });
    assert.equal(served.source, 'cache');
  });

  test('with no way to get a code, a forced refresh fails instead of serving the cached session', async () => {
    await engine.getCredentials({ profile: 'eve' }, ctx());
    await assert.rejects(
      engine.getCredentials({ profile: 'eve', forceRefresh: true }, { mfa: mfaCodeProvider([]) }),
      (e: KeytrayError) => e.code === 'mfa-required',
    );
  });

  test('a source session that expired early at AWS recovers with one new MFA code', async () => {
    await engine.getCredentials({ profile: 'admin' }, ctx());
    emu.clock.advance(61 * 60_000); // the 1 h role session is over; the 8 h MFA session looks fine
    emu.endSessions({ userName: 'eve' }, 'expire'); // ...but AWS says it has expired (the clock moved)
    const served = await engine.getCredentials({ profile: 'admin' }, ctx());
    assert.equal(served.source, 'sts');
    assert.match(await identityOf(served.credentials), /:assumed-role\/Admin\//);
    assert.equal(prompts, 2, 'one new code, for the new MFA session');
    assert.equal(emu.count('GetSessionToken', true), 2);
    assert.deepEqual(
      emu.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.errorCode ?? 'ok'),
      ['ok', 'ExpiredToken', 'ok'],
      'refused once with the old session, then assumed with the new one',
    );
    assert.match(served.warnings.join(), /no longer accepted the cached session of profile "eve"/);
    assert.notEqual(store.getSession('eve')?.accessKeyId, undefined);
  });

  test('revoked sessions two levels down recover level by level, still with one new code', async () => {
    await engine.getCredentials({ profile: 'audit' }, ctx());
    store.deleteSession('audit');
    emu.endSessions({ roleArn: adminArn }, 'revoke');
    emu.endSessions({ userName: 'eve' }, 'revoke');
    const served = await engine.getCredentials({ profile: 'audit' }, ctx());
    assert.match(await identityOf(served.credentials), /:assumed-role\/Audit\//);
    assert.equal(prompts, 2);
    assert.equal(emu.count('GetSessionToken', true), 2);
    assert.equal(emu.calls.filter((c) => c.errorCode === 'InvalidClientTokenId').length, 2, 'one refusal per level, no more');
  });

  test('a brand-new session that AWS refuses is not retried, and the line names whose session it was', async () => {
    emu.endSessions({ userName: 'eve' }, 'revoke', { future: true });
    await assert.rejects(engine.getCredentials({ profile: 'admin' }, ctx()), (e: KeytrayError) => {
      assert.match(e.toLine(), /AWS refused the session of profile "eve" \(InvalidClientTokenId\) during AssumeRole on .*role\/Admin.*clock/);
      assert.doesNotMatch(e.toLine(), /keytray clear admin/);
      return true;
    });
    assert.equal(prompts, 1);
    assert.equal(emu.count('GetSessionToken'), 1);
    assert.equal(emu.count('AssumeRole'), 1);
  });

  test('a cached session refused, then refused again once renewed, stops after that one retry', async () => {
    await engine.getCredentials({ profile: 'eve' }, ctx());
    emu.endSessions({ userName: 'eve' }, 'revoke', { future: true });
    await assert.rejects(engine.getCredentials({ profile: 'admin' }, ctx()), /AWS refused the session of profile "eve"/);
    assert.equal(prompts, 2, 'the first session, then its one renewal');
    assert.equal(emu.count('GetSessionToken'), 2);
    assert.equal(emu.count('AssumeRole'), 2);
  });

  test('--no-session serves the long-term key itself', async () => {
    const served = await engine.getCredentials({ profile: 'eve', noSession: true }, ctx());
    assert.equal(served.source, 'long-term');
    assert.equal(served.credentials.sessionToken, undefined);
    assert.equal(emu.calls.length, 0);
  });

  test('a code already spent is refused before STS sees it', async () => {
    const code = device.unusedCode();
    await engine.getCredentials({ profile: 'eve' }, { mfa: mfaCodeProvider([optionCodeSource(code)]) });
    store.clearSessions();
    const calls = emu.calls.length;
    await assert.rejects(
      engine.getCredentials({ profile: 'eve' }, { mfa: mfaCodeProvider([optionCodeSource(code)]) }),
      (e: KeytrayError) => e.code === 'mfa-reused' && /wait for the next code/.test(e.toLine()),
    );
    assert.equal(emu.calls.length, calls);
  });
});
