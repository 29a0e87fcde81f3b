import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSandbox, parseCredentialDocument, type Sandbox } from './harness';

/**
 * The fast path (a cache hit answered from the keychain without the full CLI) must apply the same
 * 15-minute reuse margin as the engine: the AWS CLI re-runs credential_process on every call while
 * fewer than 15 minutes remain, so a session that short must be renewed, never handed out again.
 * A 900-second role session is inside that margin from the moment it is made.
 */
describe('the credential-process fast path and the reuse margin', () => {
  let sb: Sandbox;
  let scenario: ReturnType<Sandbox['userWithMfaRole']>;

  before(async () => {
    sb = await createSandbox();
    scenario = sb.userWithMfaRole('fpm-user', 'fpm-role');
    const { user, role, mfa, roleArn, key } = scenario;
    sb.writeConfig(`[profile ${user}]\nmfa_serial = ${mfa.serial}\n\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\nduration_seconds = 900\n`);
    const add = await sb.keytray(['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
  });

  after(async () => {
    await sb.keytray(['remove', scenario.user, '--yes']);
    await sb.keytray(['clear']);
    await sb.close();
  });

  test('a session with 15 minutes or less left is renewed, not served from the cache', async () => {
    const first = await sb.keytray(['credential-process', scenario.role, '--mfa-code', scenario.mfa.unusedCode()]);
    assert.equal(first.code, 0, first.stderr);
    const assumed = sb.emu.count('AssumeRole');
    const second = await sb.keytray(['credential-process', scenario.role]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(sb.emu.count('AssumeRole'), assumed + 1, 'a new AssumeRole from the cached MFA session');
    assert.notEqual(parseCredentialDocument(second.stdout).AccessKeyId, parseCredentialDocument(first.stdout).AccessKeyId);
    assert.equal(sb.emu.count('GetSessionToken'), 1, 'the 8-hour MFA session is still reused: no second prompt');
  });
});
