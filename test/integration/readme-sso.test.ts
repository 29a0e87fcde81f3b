import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installCli } from '../../electron/core/install/installCli';
import { AWS_CLI, awsCliAvailable, browserStandIn, createSandbox, KEYTRAY_BIN, REPO, runProcess, type Sandbox } from './harness';

/**
 * The README's IAM Identity Center section, run literally as a new user would, with `keytray` and
 * `aws` on PATH, a HOME with no ~/.aws, and the person at the browser signing in.
 */
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const START_URL = 'https://my-company.awsapps.com/start';

function ssoSectionBlocks(): string[] {
  const start = README.indexOf('## IAM Identity Center (SSO)');
  const end = README.indexOf('\n## ', start + 1);
  assert.ok(start >= 0 && end > start, 'the README has an IAM Identity Center section');
  return [...README.slice(start, end).matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

describe("the README's IAM Identity Center section, run literally", { skip: !awsCliAvailable() && 'needs /usr/bin/aws' }, () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    sb = await createSandbox();
    const bin = path.join(sb.home, 'bin');
    installCli({ prefix: bin, nodeScript: KEYTRAY_BIN, platform: 'linux' });
    // AWS CLI 2.9 predates AWS_ENDPOINT_URL, so `aws` on this PATH is the real one pointed at the emulator.
    fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nexec ${AWS_CLI} "$@" --endpoint-url "$AWS_ENDPOINT_URL"\n`, { mode: 0o755 });
    fs.rmSync(path.join(sb.home, '.aws'), { recursive: true, force: true });
    env = { ...sb.env, ...browserStandIn(sb.home).env, PATH: `${bin}:/usr/bin:/bin` };
    delete env.AWS_CONFIG_FILE;
    delete env.AWS_SHARED_CREDENTIALS_FILE;
    sb.emu.sso.addStartUrl(START_URL);
    sb.emu.sso.createUser('dana');
    sb.emu.sso.assign('dana', { accountId: '123456789012', accountName: 'dev', roleName: 'AdministratorAccess' });
    sb.emu.sso.assign('dana', { accountId: '123456789012', accountName: 'dev', roleName: 'ReadOnly' });
  });

  after(async () => {
    await runProcess(process.execPath, [KEYTRAY_BIN, 'sso', 'logout'], env);
    await runProcess(process.execPath, [KEYTRAY_BIN, 'clear'], env);
    await sb.close();
  });

  test('signs in once, serves the profile to the AWS CLI, and shows what populate would add', async () => {
    const blocks = ssoSectionBlocks();
    assert.equal(blocks.length, 1);
    const script = path.join(sb.home, 'sso.sh');
    fs.writeFileSync(script, `set -e\ncd "$HOME"\n${blocks[0]}`);
    const r = await runProcess('/bin/bash', [script], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^Signed in to IAM Identity Center "corp" for 59m; Keytray renews it by itself\.$/m);
    assert.match(r.stdout, /"Arn": "arn:aws:sts::123456789012:assumed-role\/AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}\/dana"/);
    assert.match(r.stdout, /^would add {2}dev-ReadOnly {2}\(dev 123456789012, ReadOnly\)\n1 profile already up to date in .*\/\.aws\/config\.$/m);
    assert.equal(fs.existsSync(path.join(sb.home, '.aws', 'sso')), false, 'the AWS CLI never cached a token of its own');
  });
});
