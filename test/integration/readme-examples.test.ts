import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeActiveProfile } from '../../electron/core/settings';
import { installCli } from '../../electron/core/install/installCli';
import { awsCliAvailable, createSandbox, LAUNCHER_TARGET, REPO, runProcess, type Sandbox } from './harness';

/**
 * The README's `ini` examples, taken from the README itself and run against the emulator with the
 * real keychain and the real AWS CLI, so the documentation cannot drift from what works. Only the
 * profile names change (made unique per run, for the shared keychain) and the launcher path.
 */
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

function fencedBlocks(text: string, info: string): string[] {
  return [...text.matchAll(new RegExp(`^\`\`\`${info}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]);
}

describe('the README examples', { skip: !awsCliAvailable() && 'needs /usr/bin/aws' }, () => {
  let sb: Sandbox;
  let launcher: string;
  let fakeBin: string;
  const names: Record<string, string> = {};
  const name = (readmeName: string) => (names[readmeName] ??= sb.name(readmeName));
  const mfa: Record<string, { serial: string; unusedCode(): string }> = {};

  /** README profile names -> this run's names, only where a profile name can stand. */
  const localize = (ini: string) =>
    ini
      .replace(/^\[profile ([\w-]+)\]$/gm, (_, n) => `[profile ${name(n)}]`)
      .replace(/^source_profile = ([\w-]+)$/gm, (_, n) => `source_profile = ${name(n)}`)
      .replace(/:mfa\/([\w-]+)$/gm, (_, n) => `:mfa/${name(n)}`)
      .replace(/^credential_process = \/usr\/local\/bin\/keytray /gm, () => `credential_process = ${launcher} `);

  const aws = (profile: string, env: NodeJS.ProcessEnv = {}) =>
    sb.aws(['sts', 'get-caller-identity', '--profile', name(profile), '--output', 'json'], { env: { PATH: `${fakeBin}:/usr/bin:/bin`, ...env } });

  before(async () => {
    sb = await createSandbox();
    launcher = installCli({ prefix: path.join(sb.home, 'bin'), ...LAUNCHER_TARGET, platform: 'linux' }).path;
    // `ykman oath accounts code -s aws`, as the README's mfa_process runs it; the test hands it the code.
    fakeBin = path.join(sb.home, 'fakebin');
    fs.mkdirSync(fakeBin);
    fs.writeFileSync(
      path.join(fakeBin, 'ykman'),
      '#!/bin/sh\n[ "$*" = "oath accounts code -s aws" ] || { echo "ykman: unexpected arguments: $*" >&2; exit 2; }\ncat "$HOME/next-ykman-code"\n',
      { mode: 0o755 },
    );

    const alice = sb.emu.createUser(name('alice'));
    const bob = sb.emu.createUser(name('bob'));
    mfa.alice = sb.emu.enableMfa(name('alice'));
    mfa.bob = sb.emu.enableMfa(name('bob'));
    const admin = sb.emu.createRole({ name: 'Admin', account: '222222222222', trustedPrincipals: [alice.arn], requireMfa: true });
    sb.emu.createRole({ name: 'Deploy', account: '333333333333', trustedPrincipals: [admin.arn], externalId: 'deploy-pipeline' });

    const blocks = fencedBlocks(README, 'ini');
    assert.ok(blocks.length >= 5, `expected the README's five ini examples, found ${blocks.length}`);
    sb.writeConfig(blocks.map(localize).join('\n'));

    for (const [user, key] of [['alice', alice], ['bob', bob]] as const) {
      const r = await sb.keytray(['add', name(user), '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
      assert.equal(r.code, 0, r.stderr);
    }
    for (const p of ['alice', 'admin', 'deploy', 'bob']) {
      const r = await runProcess(launcher, ['setup', name(p)], sb.env);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    for (const p of ['alice', 'bob']) await sb.keytray(['remove', name(p), '--yes']);
    for (const p of ['admin', 'deploy']) await sb.keytray(['clear', name(p)]);
    await sb.close();
  });

  test('the user with MFA gets a session with one code', async () => {
    const r = await sb.keytray(['credential-process', name('alice'), '--mfa-code', mfa.alice.unusedCode()]);
    assert.equal(r.code, 0, r.stderr);
    const cli = await aws('alice');
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).Arn, `arn:aws:iam::111111111111:user/${name('alice')}`);
  });

  test('the role is assumed from that session, with no second code', async () => {
    const before = sb.emu.count('GetSessionToken');
    const cli = await aws('admin');
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(JSON.parse(cli.stdout).Arn, /^arn:aws:sts::222222222222:assumed-role\/Admin\//);
    assert.equal(sb.emu.count('GetSessionToken'), before);
  });

  test('the chained role with its external id', async () => {
    const cli = await aws('deploy');
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(JSON.parse(cli.stdout).Arn, /^arn:aws:sts::333333333333:assumed-role\/Deploy\//);
  });

  test('mfa_process runs ykman for the code', async () => {
    fs.writeFileSync(path.join(sb.home, 'next-ykman-code'), `${mfa.bob.unusedCode()}\n`);
    const cli = await aws('bob');
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).Arn, `arn:aws:iam::111111111111:user/${name('bob')}`);
    assert.equal(sb.emu.calls.filter((c) => c.action === 'GetSessionToken' && c.ok).length, 2);
  });

  test('the tray profile follows the role made active', async () => {
    writeActiveProfile(sb.dataDir, name('deploy'));
    const deploy = await aws('tray');
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(JSON.parse(deploy.stdout).Arn, /assumed-role\/Deploy\//);
    writeActiveProfile(sb.dataDir, name('admin'));
    const admin = await aws('tray');
    assert.equal(admin.code, 0, admin.stderr);
    assert.match(JSON.parse(admin.stdout).Arn, /assumed-role\/Admin\//);
  });

  test("the bash awsp function exports the session for the shell's later commands", async () => {
    const awsp = fencedBlocks(README, 'sh')
      .flatMap((b) => b.split('\n'))
      .find((l) => l.startsWith('awsp()'));
    assert.ok(awsp, 'the README defines awsp() for bash and zsh');
    const script = `${awsp}\nawsp "$1"\naws sts get-caller-identity --output json --endpoint-url "$AWS_ENDPOINT_URL"`;
    const r = await runProcess('/bin/bash', ['-c', script, 'bash', name('deploy')], { ...sb.env, PATH: `${path.dirname(launcher)}:/usr/bin:/bin`, AWS_PROFILE: name('alice') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).Arn, /assumed-role\/Deploy\//, 'AWS_PROFILE was unset, so the exported keys win');
  });
});
