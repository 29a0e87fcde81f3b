import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSandbox, type Sandbox } from './harness';

/**
 * Keytray is meant for people with hundreds or thousands of profiles. On Linux each keychain item
 * touched opens a D-Bus connection that lives until the next garbage collection, so a command that
 * touched one item per profile ran out of file descriptors past about a thousand profiles and hung
 * forever. Changing a user's key with 1,500 roles built on it must stay quick.
 */
describe('a user with 1,500 roles built on it', () => {
  let sb: Sandbox;
  let scenario: ReturnType<Sandbox['userWithMfaRole']>;

  before(async () => {
    sb = await createSandbox();
    scenario = sb.userWithMfaRole('many-user', 'many-role');
    const { user, role, mfa, roleArn, key } = scenario;
    const roles = Array.from({ length: 1500 }, (_, i) => `[profile bulk-${i}-${user}]\nrole_arn = arn:aws:iam::222222222222:role/Bulk${i}\nsource_profile = ${user}\n`);
    sb.writeConfig(`[profile ${user}]\nmfa_serial = ${mfa.serial}\n\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\n\n${roles.join('\n')}`);
    const add = await sb.keytray(['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
  });

  /** The SESSION column of `keytray list` for one profile: its time left, or "-". */
  async function sessionColumn(profile: string): Promise<string | undefined> {
    const list = await sb.keytray(['list']);
    assert.equal(list.code, 0, list.stderr);
    return list.stdout.split('\n').find((line) => line.startsWith(`${profile} `))?.trim().split(/\s+/).pop();
  }

  after(async () => {
    await sb.keytray(['remove', scenario.user, '--yes']);
    await sb.keytray(['clear']);
    await sb.close();
  });

  test('removing and adding the key finish, and end the sessions built on it', { timeout: 120_000 }, async () => {
    const served = await sb.keytray(['credential-process', scenario.role, '--mfa-code', scenario.mfa.unusedCode()]);
    assert.equal(served.code, 0, served.stderr);
    assert.match((await sessionColumn(scenario.role)) ?? "", /^\d+m$/);

    const removed = await sb.keytray(['remove', scenario.user, '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(await sessionColumn(scenario.role), '-', 'the role session made from the removed key is gone');

    const added = await sb.keytray(['add', scenario.user, '--env'], { env: { AWS_ACCESS_KEY_ID: scenario.key.accessKeyId, AWS_SECRET_ACCESS_KEY: scenario.key.secretAccessKey } });
    assert.equal(added.code, 0, added.stderr);
  });
});
