import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSandbox, parseCredentialDocument, type Sandbox } from './harness';

/**
 * A source user's MFA session that dies at AWS before its time (the clock moved, it was revoked):
 * the AWS CLI keeps calling credential_process for the role, and Keytray must recover by itself
 * with one new MFA code, not send the user to clear a profile that clearing does not fix.
 */
describe('a source session that dies early', () => {
  let sb: Sandbox;
  let scenario: ReturnType<Sandbox['userWithMfaRole']>;

  before(async () => {
    sb = await createSandbox();
    scenario = sb.userWithMfaRole('sr-user', 'sr-role');
    const { user, role, mfa, roleArn, key } = scenario;
    sb.writeConfig(`[profile ${user}]\nmfa_serial = ${mfa.serial}\n\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\n`);
    const add = await sb.keytray(['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await sb.keytray(['setup', scenario.role])).code, 0);
  });

  after(async () => {
    await sb.keytray(['remove', scenario.user, '--yes']);
    await sb.keytray(['clear']);
    await sb.close();
  });

  test('with no code source, the line says which profile needs a code, and a code then recovers it', async () => {
    const first = await sb.keytray(['credential-process', scenario.role, '--mfa-code', scenario.mfa.unusedCode()]);
    assert.equal(first.code, 0, first.stderr);
    // The role's hour is over (Keytray judges expiry by this machine's clock, so the test drops it),
    // and AWS now refuses the user's 8-hour session as expired, although it has hours left on paper.
    assert.equal((await sb.keytray(['clear', scenario.role])).code, 0);
    sb.emu.endSessions({ userName: scenario.user }, 'expire');

    // Under the AWS CLI there is no terminal: the new session needs a code, and the line says so.
    const aws = await sb.aws(['sts', 'get-caller-identity', '--profile', scenario.role]);
    assert.notEqual(aws.code, 0);
    assert.match(aws.stderr, new RegExp(`MFA code.*profile "${scenario.user}"|profile "${scenario.user}".*MFA`));
    assert.doesNotMatch(aws.stderr, /keytray clear/);

    const gotTokens = sb.emu.count('GetSessionToken', true);
    const recovered = await sb.keytray(['credential-process', scenario.role, '--mfa-code', scenario.mfa.unusedCode()]);
    assert.equal(recovered.code, 0, recovered.stderr);
    assert.match(await sb.identityOf(parseCredentialDocument(recovered.stdout)), /:assumed-role\/sr-role-/);
    assert.equal(sb.emu.count('GetSessionToken', true), gotTokens + 1, 'one new MFA session');

    const viaAwsCli = await sb.aws(['sts', 'get-caller-identity', '--profile', scenario.role]);
    assert.equal(viaAwsCli.code, 0, viaAwsCli.stderr);
    assert.match(viaAwsCli.stdout, /assumed-role\/sr-role-/);
  });
});
