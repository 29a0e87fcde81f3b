import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { EmulatorUser } from '../emulator';
import { awsCliAvailable, createSandbox, type Sandbox } from './harness';

/**
 * `keytray add PROFILE --mfa-serial ARN --region R` writes the user profile. A profile that is
 * already in the file, under any header the AWS CLI reads as it, gets its keys set there: a second
 * section would make the AWS CLI refuse the whole file.
 */
describe('keytray add writes the user profile, never a duplicate section', () => {
  let sb: Sandbox;
  let bob: string, carol: string, dora: string;
  let keys: Record<string, EmulatorUser>;
  const add = (profile: string, ...flags: string[]) =>
    sb.keytray(['add', profile, '--env', ...flags], { env: { AWS_ACCESS_KEY_ID: keys[profile].accessKeyId, AWS_SECRET_ACCESS_KEY: keys[profile].secretAccessKey } });

  before(async () => {
    sb = await createSandbox();
    [bob, carol, dora] = ['bob', 'carol', 'dora'].map((n) => sb.name(n));
    keys = Object.fromEntries([bob, carol, dora].map((n) => [n, sb.emu.createUser(n)]));
  });

  after(async () => {
    for (const p of [bob, carol, dora]) await sb.keytray(['remove', p, '--yes']);
    await sb.close();
  });

  test('a quoted or oddly spaced header is the same profile: its keys are set in place', async () => {
    const original = `# mine\n[profile "${bob}"]\nregion = us-east-1\noutput = json\n\n[profile   ${carol} ]\n; carol's notes\n`;
    sb.writeConfig(original);
    const serial = `arn:aws:iam::111111111111:mfa/${bob}`;
    const r = await add(bob, '--mfa-serial', serial, '--region', 'eu-west-1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Set region, mfa_serial in \\[profile ${bob}\\] of ${sb.configFile}\\.\\n$`));
    const c = await add(carol, '--region', 'eu-central-1');
    assert.equal(c.code, 0, c.stderr);
    assert.equal(
      fs.readFileSync(sb.configFile, 'utf8'),
      `# mine\n[profile "${bob}"]\nregion = eu-west-1\noutput = json\nmfa_serial = ${serial}\n\n[profile   ${carol} ]\nregion = eu-central-1\n; carol's notes\n`,
    );
  });

  test('the AWS CLI reads the file, with each profile once', { skip: !awsCliAvailable() && 'no /usr/bin/aws' }, async () => {
    const r = await sb.run('/usr/bin/aws', ['configure', 'get', 'region', '--profile', bob]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'eu-west-1');
  });

  test('a new profile gets the whole section; a profile Keytray serves keeps its mfa_serial prefixed', async () => {
    const serial = `arn:aws:iam::111111111111:mfa/${dora}`;
    const first = await add(dora, '--region', 'eu-west-1');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`Added \\[profile ${dora}\\] to `));
    assert.ok(fs.readFileSync(sb.configFile, 'utf8').endsWith(`\n\n[profile ${dora}]\nregion = eu-west-1\n`));
    assert.equal((await sb.keytray(['setup', dora])).code, 0);
    const again = await add(dora, '--mfa-serial', serial);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Access key \*+\w{4} was already stored .* Set keytray_mfa_serial in/);
    assert.match(fs.readFileSync(sb.configFile, 'utf8'), new RegExp(`\\[profile ${dora}\\]\\nregion = eu-west-1\\ncredential_process = .*\\nkeytray_mfa_serial = ${serial}\\n$`));
  });

  test("a role profile is refused: it uses its source profile's key", async () => {
    const role = sb.name('role');
    fs.appendFileSync(sb.configFile, `\n[profile ${role}]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = ${dora}\n`);
    const before = fs.readFileSync(sb.configFile, 'utf8');
    const r = await sb.keytray(['add', role, '--env'], { env: { AWS_ACCESS_KEY_ID: keys[dora].accessKeyId, AWS_SECRET_ACCESS_KEY: keys[dora].secretAccessKey } });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `keytray: Profile "${role}" is a role profile (it has a role_arn), so it uses its source profile's key, not one of its own. Store the key under the user profile that source_profile names.\n`);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before);
    const list = await sb.keytray(['credential-process', role, '--no-session']);
    assert.notEqual(list.code, 0);
  });

  test('a malformed --mfa-serial or --region is a usage error before anything is stored', async () => {
    const before = fs.readFileSync(sb.configFile, 'utf8');
    const r = await sb.keytray(['add', sb.name('eve'), '--mfa-serial', 'arn:aws:iam::12:mfa/x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^keytray: --mfa-serial: The account ID "12" should be 12 digits/);
    const region = await sb.keytray(['add', sb.name('eve'), '--region', 'Europe']);
    assert.equal(region.code, 2);
    assert.match(region.stderr, /^keytray: --region: "Europe" is not an AWS region, e\.g\. eu-west-1/);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before);
  });
});
