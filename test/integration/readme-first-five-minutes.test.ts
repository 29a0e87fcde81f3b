import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installCli } from '../../electron/core/install/installCli';
import { AWS_CLI, awsCliAvailable, createSandbox, KEYTRAY_ARGV, LAUNCHER_TARGET, REPO, runProcess, SYSTEM_PYTHON, type Sandbox } from './harness';

/**
 * The README's "first five minutes", run as a new user would: every shell block of that section,
 * literally (profile names and all), in a fresh HOME with no ~/.aws, at a real terminal where the
 * test types the access key, the secret and the MFA code when asked. Afterwards the real AWS CLI
 * and boto3 must both parse the config Keytray left, and the role must work.
 */
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

function firstFiveMinutesBlocks(): string[] {
  const start = README.indexOf('## The first five minutes');
  const end = README.indexOf('\n## ', start + 1);
  assert.ok(start >= 0 && end > start, 'the README has a "first five minutes" section');
  const section = README.slice(start, end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

describe("the README's first five minutes, run literally", { skip: (!awsCliAvailable() || !fs.existsSync('/usr/bin/script')) && 'needs /usr/bin/aws and script(1)' }, () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    sb = await createSandbox();
    const bin = path.join(sb.home, 'bin');
    installCli({ prefix: bin, ...LAUNCHER_TARGET, platform: 'linux' });
    // AWS CLI 2.9 predates AWS_ENDPOINT_URL, so `aws` on this PATH is the real one pointed at the emulator.
    fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nexec ${AWS_CLI} "$@" --endpoint-url "$AWS_ENDPOINT_URL"\n`, { mode: 0o755 });
    // A new user's HOME: no ~/.aws at all, and the default file locations.
    fs.rmSync(path.join(sb.home, '.aws'), { recursive: true, force: true });
    env = { ...sb.env, PATH: `${bin}:/usr/bin:/bin`, TERM: 'dumb' };
    delete env.AWS_CONFIG_FILE;
    delete env.AWS_SHARED_CREDENTIALS_FILE;
  });

  after(async () => {
    await runProcess(KEYTRAY_ARGV[0], [...KEYTRAY_ARGV.slice(1), 'remove', 'alice', '--yes'], env);
    await runProcess(KEYTRAY_ARGV[0], [...KEYTRAY_ARGV.slice(1), 'clear'], env);
    await sb.close();
  });

  test('leaves a config the AWS CLI and boto3 read, and the role works', async () => {
    const alice = sb.emu.createUser('alice', { account: '111111111111' });
    const mfa = sb.emu.enableMfa('alice');
    assert.equal(mfa.serial, 'arn:aws:iam::111111111111:mfa/alice');
    sb.emu.createRole({ name: 'Admin', account: '222222222222', trustedPrincipals: [alice.arn], requireMfa: true });

    const blocks = firstFiveMinutesBlocks();
    assert.ok(blocks.length >= 1);
    const script = path.join(sb.home, 'first-five-minutes.sh');
    fs.writeFileSync(script, `set -e\ncd "$HOME"\n${blocks.join('\n')}`);

    const child = spawn('/usr/bin/script', ['-q', '-e', '-c', `/bin/bash ${script}`, '/dev/null'], { env, stdio: 'pipe' });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (screen += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    await waitFor(() => /Access key ID for "alice": $/.test(screen), () => screen);
    child.stdin.write(`${alice.accessKeyId}\r`);
    await waitFor(() => /Secret access key \(hidden\): $/.test(screen), () => screen);
    child.stdin.write(`${alice.secretAccessKey}\r`);
    await waitFor(() => /MFA code for profile "alice" \(arn:aws:iam::111111111111:mfa\/alice\): $/.test(screen), () => screen);
    child.stdin.write(`${mfa.unusedCode()}\r`);
    const code = await exited;

    assert.equal(code, 0, screen);
    assert.ok(!screen.includes(alice.secretAccessKey), 'the secret was not echoed');
    assert.match(screen, /Stored access key \*+\w{4} for profile "alice" in the keychain\. Added \[profile alice\] to .*\/\.aws\/config\./);
    assert.match(screen, /"Arn": "arn:aws:sts::222222222222:assumed-role\/Admin\//, 'step 4 printed the role');

    const config = fs.readFileSync(path.join(sb.home, '.aws', 'config'), 'utf8');
    assert.equal((config.match(/^\[profile alice\]/gm) ?? []).length, 1, config);
    assert.equal((config.match(/^\[profile admin\]/gm) ?? []).length, 1, config);

    const profiles = await runProcess(AWS_CLI, ['configure', 'list-profiles'], env);
    assert.equal(profiles.code, 0, profiles.stderr);
    assert.deepEqual(profiles.stdout.trim().split('\n').sort(), ['admin', 'alice']);

    const boto = await runProcess(
      SYSTEM_PYTHON,
      ['-c', 'import boto3, json; s = boto3.Session(); c = s._session.full_config["profiles"]; print(json.dumps({"profiles": sorted(s.available_profiles), "alice": c["alice"]}))'],
      env,
    );
    assert.equal(boto.code, 0, boto.stderr);
    assert.deepEqual(JSON.parse(boto.stdout), {
      profiles: ['admin', 'alice'],
      alice: { region: 'eu-west-1', mfa_serial: 'arn:aws:iam::111111111111:mfa/alice' },
    });

    // Later calls reuse the cached session: no terminal, no code.
    const again = await runProcess(path.join(sb.home, 'bin', 'aws'), ['--profile', 'admin', 'sts', 'get-caller-identity', '--output', 'json'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(JSON.parse(again.stdout).Arn, /^arn:aws:sts::222222222222:assumed-role\/Admin\//);
  });
});

async function waitFor(cond: () => boolean, screen: () => string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for the terminal; it shows:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
