import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { signInLikeAwsCli, writeAwsCliCache } from '../emulator/awsLoginStandIn';
import { createSandbox, filesUnder, type Sandbox } from './harness';

/**
 * `keytray import` and the AWS CLI's login cache: a session `aws login` left in plaintext under
 * ~/.aws/login/cache is moved into the keychain, its profile is wired to Keytray, the file is
 * deleted, and the session keeps refreshing with its own DPoP key.
 */

let sb: Sandbox;
before(async () => {
  sb = await createSandbox();
});
after(() => sb.close());

test('an AWS CLI login cache is imported, its plaintext removed, and the session keeps refreshing', async () => {
  const profile = sb.name('web');
  const user = sb.emu.createUser(profile);
  sb.emu.signin.browserSignsIn(profile);
  // As `aws login` leaves it; the credentials already expired, so serving it means a refresh.
  const login = await signInLikeAwsCli(sb.emu.url);
  const cacheDir = path.join(sb.home, '.aws', 'login', 'cache');
  const file = writeAwsCliCache(cacheDir, login, { expiresAt: new Date(Date.now() - 60_000) });
  const stray = path.join(cacheDir, 'not-a-profile.json');
  fs.writeFileSync(stray, '{}');
  const original = `[profile ${profile}]\nlogin_session = ${user.arn}\nregion = us-east-1\n# kept\n`;
  sb.writeConfig(original);

  const r = await sb.keytray(['import']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Moved the aws login session of profile "${profile}" into the keychain and deleted ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\.`));
  assert.match(r.stdout, /Left .*not-a-profile\.json: no profile in .* has the login_session it belongs to\./);
  assert.equal(fs.existsSync(file), false, 'the plaintext session is gone');
  const config = fs.readFileSync(sb.configFile, 'utf8');
  assert.match(config, new RegExp(`^keytray_login_session = ${user.arn.replace(/\//g, '\\/')}$`, 'm'));
  assert.doesNotMatch(config, /^login_session/m);
  assert.match(config, /^credential_process = /m);
  assert.match(config, /# kept/);

  const cli = await sb.aws(['sts', 'get-caller-identity', '--profile', profile, '--query', 'Arn', '--output', 'text']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout.trim(), user.arn);
  assert.equal(sb.emu.calls.filter((c) => c.action === 'CreateOAuth2Token' && c.ok).length, 2, 'the code grant, then one refresh with the imported key');

  fs.rmSync(stray);
  for (const f of filesUnder(sb.home)) assert.doesNotMatch(fs.readFileSync(f, 'latin1'), /PRIVATE KEY/, f);
});
