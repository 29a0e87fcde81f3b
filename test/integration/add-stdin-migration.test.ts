import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { awsCliAvailable, createSandbox, findSecretsOnDisk, parseCredentialDocument, type Sandbox } from './harness';

/**
 * Moving over from aws-vault: keys piped from `aws-vault export --no-session --format=json` into
 * `keytray add --stdin`, and a config that relies on aws-vault's include_profile / parent_profile
 * made readable to Keytray and the AWS CLI by `keytray import`.
 */
describe('migrating from aws-vault', () => {
  let sb: Sandbox;
  let jon: string, readonly: string, admin: string, legacy: string, loopA: string, loopB: string, dangling: string;
  let key: { accessKeyId: string; secretAccessKey: string };
  let mfa: { serial: string; unusedCode(): string };
  let readonlyArn: string, adminArn: string;
  let originalConfig: string;

  before(async () => {
    sb = await createSandbox();
    [jon, readonly, admin, legacy, loopA, loopB, dangling] = ['jon', 'readonly', 'admin', 'legacy', 'loopa', 'loopb', 'dangling'].map((n) => sb.name(n));
    const user = sb.emu.createUser(jon);
    key = user;
    mfa = sb.emu.enableMfa(jon);
    readonlyArn = sb.emu.createRole({ name: 'ReadOnly', trustedPrincipals: [user.arn] }).arn;
    adminArn = sb.emu.createRole({ name: 'Admin', trustedPrincipals: [user.arn] }).arn;
    originalConfig = [
      '# an aws-vault config',
      '[default]',
      'region = eu-west-1',
      '',
      `[profile ${jon}]`,
      `mfa_serial = ${mfa.serial}`,
      '',
      `[profile ${readonly}]`,
      `source_profile = ${jon}`,
      `role_arn = ${readonlyArn}`,
      '',
      `[profile ${admin}]`,
      `include_profile = ${readonly}`,
      `role_arn = ${adminArn}`,
      '; admin keeps this comment',
      '',
      `[profile ${legacy}]`,
      `parent_profile = ${readonly}`,
      '',
      `[profile ${loopA}]`,
      `include_profile = ${loopB}`,
      `[profile ${loopB}]`,
      `include_profile = ${loopA}`,
      '',
      `[profile ${dangling}]`,
      'include_profile = nowhere',
      '',
    ].join('\n');
    sb.writeConfig(originalConfig);
  });

  after(async () => {
    await sb.keytray(['remove', jon, '--yes']);
    for (const p of [readonly, admin, legacy]) await sb.keytray(['clear', p]);
    await sb.close();
  });

  test('add --stdin rejects a session document with one line that names the fix and no secret', async () => {
    const session = JSON.stringify({ Version: 1, AccessKeyId: 'ASIAEXAMPLEEXAMPLE12', SecretAccessKey: 'sessionsecretsessionsecretsessionsecret1', SessionToken: 'tokentokentokentoken', Expiration: '2030-01-01T00:00:00Z' });
    const r = await sb.keytray(['add', jon, '--stdin'], { input: session });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^keytray: The document on stdin holds a temporary session \(it has a SessionToken\), not a long-term key.*aws-vault export --no-session --format=json/);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    for (const secret of ['sessionsecret', 'tokentoken', 'ASIAEXAMPLEEXAMPLE12']) assert.ok(!r.stderr.includes(secret));
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), originalConfig);
  });

  test('add --stdin rejects input that is not a credential document without echoing it', async () => {
    const r = await sb.keytray(['add', jon, '--stdin'], { input: `AWS_SECRET_ACCESS_KEY=${key.secretAccessKey}\n` });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^keytray: stdin is not a credential_process JSON document/);
    assert.ok(!r.stderr.includes(key.secretAccessKey.slice(0, 12)));
    const both = await sb.keytray(['add', jon, '--stdin', '--env']);
    assert.equal(both.code, 2);
  });

  test('add --stdin stores the key that aws-vault export --no-session --format=json prints', async () => {
    // aws-vault's json export is the credential_process document; a long-term key has no session fields.
    const exported = `${JSON.stringify({ Version: 1, AccessKeyId: key.accessKeyId, SecretAccessKey: key.secretAccessKey }, null, 2)}\n`;
    const r = await sb.keytray(['add', jon, '--stdin'], { input: exported });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Stored access key \\*+${key.accessKeyId.slice(-4)} for profile "${jon}"`));
    assert.ok(!r.stdout.includes(key.accessKeyId));
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), originalConfig, 'the profile existed, so the config is untouched');
    const list = JSON.parse((await sb.keytray(['list', '--json'])).stdout) as Array<{ name: string; hasKey: boolean }>;
    assert.equal(list.find((p) => p.name === jon)?.hasKey, true);
    assert.deepEqual(findSecretsOnDisk(sb.home, [key.secretAccessKey]), []);
  });

  test('import without --yes and without a terminal reports include_profile and parent_profile and changes nothing', async () => {
    const r = await sb.keytray(['import']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`Profile "${admin}" inherits source_profile = ${jon}, region = eu-west-1 through ${readonly} -> default (aws-vault's include_profile)`), r.stdout);
    assert.ok(r.stdout.includes(`Profile "${legacy}" inherits role_arn = ${readonlyArn}, source_profile = ${jon}, region = eu-west-1 through ${readonly} -> default (aws-vault's parent_profile)`), r.stdout);
    assert.match(r.stdout, new RegExp(`Cannot resolve: include_profile loops: ${loopA} -> ${loopB} -> ${loopA}`));
    assert.match(r.stdout, new RegExp(`Cannot resolve: Profile "${dangling}" has include_profile = nowhere \\(line 26\\), which is not in`));
    assert.match(r.stdout, /run `keytray import --yes`/);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), originalConfig);
  });

  test('import --yes writes the inherited settings into each profile and keeps every other byte', async () => {
    const r = await sb.keytray(['import', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    const expected = originalConfig
      .replace(`role_arn = ${adminArn}\n`, `role_arn = ${adminArn}\nsource_profile = ${jon}\nregion = eu-west-1\n`)
      .replace(`parent_profile = ${readonly}\n`, `parent_profile = ${readonly}\nrole_arn = ${readonlyArn}\nsource_profile = ${jon}\nregion = eu-west-1\n`);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), expected);
    const again = await sb.keytray(['import', '--yes']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), expected, 'a second import has nothing left to write');
  });

  test('the resolved role is served by Keytray and, after setup, by the AWS CLI', async () => {
    const r = await sb.keytray(['credential-process', admin, '--mfa-code', mfa.unusedCode()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(parseCredentialDocument(r.stdout).AccessKeyId, /^ASIA/);
    const setup = await sb.keytray(['setup', admin]);
    assert.equal(setup.code, 0, setup.stderr);
    if (!awsCliAvailable()) return;
    const cli = await sb.aws(['sts', 'get-caller-identity', '--profile', admin, '--output', 'json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(JSON.parse(cli.stdout).Arn, /:assumed-role\/Admin\//);
  });
});
