import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { installCli } from '../../electron/core/install/installCli';
import { AWS_CLI, awsCliAvailable, createSandbox, KEYTRAY_BIN, REPO, runProcess, type Sandbox } from './harness';
import { useStandInBrowser } from './loginSandbox';

/**
 * The README's `aws login` section, run literally: its shell block in a fresh HOME with the
 * default file locations, the stand-in browser playing the person who signs in, and the real AWS
 * CLI at the end.
 */
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

function loginSectionBlocks(): string[] {
  const start = README.indexOf('## No access key at all: `aws login` sessions');
  const end = README.indexOf('\n## ', start + 1);
  assert.ok(start >= 0 && end > start, 'the README has the aws login section');
  return [...README.slice(start, end).matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

let sb: Sandbox;
let env: NodeJS.ProcessEnv;

before(async () => {
  sb = await createSandbox();
  useStandInBrowser(sb);
  const bin = path.join(sb.home, 'bin');
  installCli({ prefix: bin, nodeScript: KEYTRAY_BIN, platform: 'linux' });
  // AWS CLI 2.9 predates AWS_ENDPOINT_URL, so `aws` on this PATH is the real one pointed at the emulator.
  fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nexec ${AWS_CLI} "$@" --endpoint-url "$AWS_ENDPOINT_URL"\n`, { mode: 0o755 });
  fs.rmSync(path.join(sb.home, '.aws'), { recursive: true, force: true });
  env = { ...sb.env, PATH: `${bin}:/usr/bin:/bin` };
  delete env.AWS_CONFIG_FILE;
  delete env.AWS_SHARED_CREDENTIALS_FILE;
});

after(async () => {
  // The README's profile names are literal, so this run's keychain items are removed by name.
  await runProcess(process.execPath, [KEYTRAY_BIN, 'logout', 'web'], env);
  await sb.close();
});

test("the README's aws login section works as written", { skip: !awsCliAvailable() && 'needs /usr/bin/aws' }, async () => {
  const alice = sb.emu.createUser('alice', { account: '111111111111' });
  sb.emu.createRole({ name: 'WebAdmin', account: '111111111111', trustedPrincipals: [alice.arn] });
  sb.emu.signin.browserSignsIn('alice');
  const blocks = loginSectionBlocks();
  assert.equal(blocks.length, 1);
  const script = path.join(sb.home, 'aws-login.sh');
  fs.writeFileSync(script, `set -e\ncd "$HOME"\n${blocks[0]}`);
  const r = await runProcess('/bin/bash', [script], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Signed in to profile "web" as arn:aws:iam::111111111111:user\/alice/);
  assert.match(r.stdout, /"Arn": "arn:aws:iam::111111111111:user\/alice"/);
  assert.match(r.stdout, /"Arn": "arn:aws:sts::111111111111:assumed-role\/WebAdmin\//);
  assert.doesNotMatch(fs.readFileSync(path.join(sb.home, '.aws', 'config'), 'utf8'), /^login_session/m);
});
