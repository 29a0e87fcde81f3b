import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createSandbox, parseCredentialDocument, type Sandbox } from './harness';

/**
 * The credential-process fast path serves a cached session without parsing the config: it trusts a
 * session stamped with the config file's mtime and size. These tests pin what that must never cost:
 * an edited role is never answered with the old role's session, and an unrelated edit costs no
 * new STS session.
 */
describe('the credential-process cache and config edits', () => {
  let sb: Sandbox;
  let scenario: ReturnType<Sandbox['userWithMfaRole']>;
  let otherRoleArn: string;

  before(async () => {
    sb = await createSandbox();
    scenario = sb.userWithMfaRole('fp-user', 'fp-role');
    otherRoleArn = sb.emu.createRole({ name: 'Other', trustedPrincipals: [scenario.key.arn] }).arn;
    const { user, role, mfa, roleArn, key } = scenario;
    sb.writeConfig(`[profile ${user}]\nmfa_serial = ${mfa.serial}\n\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\n`);
    const add = await sb.keytray(['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
    const first = await sb.keytray(['credential-process', role, '--mfa-code', mfa.unusedCode()]);
    assert.equal(first.code, 0, first.stderr);
  });

  after(async () => {
    await sb.keytray(['remove', scenario.user, '--yes']);
    await sb.keytray(['clear']);
    await sb.close();
  });

  test('an unrelated edit to the config still serves the cached session', async () => {
    const assumed = sb.emu.count('AssumeRole');
    fs.appendFileSync(sb.configFile, '\n# a comment added by hand\n[profile unrelated]\nregion = eu-west-1\n');
    for (let i = 0; i < 3; i++) {
      const r = await sb.keytray(['credential-process', scenario.role]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(await sb.identityOf(parseCredentialDocument(r.stdout)), /:assumed-role\/fp-role-/);
    }
    assert.equal(sb.emu.count('AssumeRole'), assumed, 'no new AssumeRole');
  });

  test('pointing the profile at another role is never answered with the old role', async () => {
    const text = fs.readFileSync(sb.configFile, 'utf8');
    fs.writeFileSync(sb.configFile, text.replace(scenario.roleArn, otherRoleArn));
    const r = await sb.keytray(['credential-process', scenario.role]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await sb.identityOf(parseCredentialDocument(r.stdout)), /:assumed-role\/Other\//);
  });
});
