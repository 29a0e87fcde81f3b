import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installCli } from '../../electron/core/install/installCli';
import { cliBinaryInResources, KEYRING_ADDON_FILE } from '../../electron/core/install/cliBinaryLayout';
import { awsCliAvailable, CLI_BINARY, createSandbox, REPO, runProcess, type RunResult, type Sandbox } from './harness';

const VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;

/**
 * The command-line tool as a user installs it: a launcher in a directory whose path has spaces,
 * `keytray setup` run through it, and the resulting credential_process line executed by the real
 * AWS CLI (shlex split, no shell) and by the JS SDK (child_process.exec, a shell). The packaged
 * kind is the CLI binary (npm run build:cli-binary), copied into an app folder of its own with
 * only the keyring binding beside it, as electron-builder ships it.
 */
describe('the installed keytray launcher', () => {
  let sb: Sandbox;
  let user: string;
  let checkoutLauncher: string, appLauncher: string, fakeApp: string;
  let roleArn: string;

  const via = (launcher: string, args: string[], opts?: { env?: NodeJS.ProcessEnv }) => runProcess(launcher, args, { ...sb.env, ...opts?.env });

  before(async () => {
    sb = await createSandbox();
    user = sb.name('installer');
    const u = sb.emu.createUser(user);
    roleArn = sb.emu.createRole({ name: 'Installed', trustedPrincipals: [u.arn] }).arn;
    const roles = ['viacheckout', 'viaapp', 'dollar'].map((r) => sb.name(r));
    sb.writeConfig(
      [`[profile ${user}]`, 'region = us-east-1', '', ...roles.flatMap((r) => [`[profile ${r}]`, `role_arn = ${roleArn}`, `source_profile = ${user}`, ''])].join('\n'),
    );
    const add = await sb.keytray(['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);

    // A checkout's launcher, installed by the CLI itself into a prefix with spaces.
    const checkoutPrefix = path.join(sb.home, 'My Tools', 'key tray bin');
    const r = await sb.keytray(['install-cli', '--prefix', checkoutPrefix]);
    assert.equal(r.code, 0, r.stderr);
    checkoutLauncher = path.join(checkoutPrefix, 'keytray');

    // The app as the deb installs it, in a folder with spaces and no node_modules anywhere near.
    const shipped = cliBinaryInResources(path.join(sb.home, 'opt', 'Keytray App', 'resources'), 'linux');
    fs.mkdirSync(path.dirname(shipped), { recursive: true });
    fs.copyFileSync(CLI_BINARY, shipped);
    fs.copyFileSync(path.join(path.dirname(CLI_BINARY), KEYRING_ADDON_FILE), path.join(path.dirname(shipped), KEYRING_ADDON_FILE));
    appLauncher = installCli({ prefix: path.join(sb.home, 'App Launcher'), cliBinary: shipped, platform: 'linux' }).path;

    // A stand-in for the app binary: it does exactly what electron/main must do first, so its CLI
    // mode (which the CLI binary hands commands to on macOS and Windows) runs here under Node.
    const appDir = path.join(sb.home, 'Applications', 'Keytray App');
    fs.mkdirSync(appDir, { recursive: true });
    fakeApp = path.join(appDir, 'keytray');
    fs.writeFileSync(
      fakeApp,
      [
        `#!${process.execPath}`,
        `if (!require(${JSON.stringify(path.join(REPO, 'dist', 'electron', 'cli', 'packagedCliMode.js'))}).startCliModeIfRequested(process.argv)) {`,
        "  process.stderr.write('the GUI would start here\\n');",
        '  process.exit(3);',
        '}',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  });

  after(async () => {
    await sb.keytray(['remove', user, '--yes']);
    await sb.close();
  });

  test('runs keytray --version from a checkout launcher and from the packaged CLI binary', async () => {
    for (const launcher of [checkoutLauncher, appLauncher]) {
      const r = await via(launcher, ['--version']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), VERSION);
      assert.equal(r.stderr, '');
    }
  });

  test('the packaged launcher passes exit codes and one-line errors through', async () => {
    const r = await via(appLauncher, ['setup', 'no-such-profile']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^keytray: .*no-such-profile/);
    const usage = await via(appLauncher, ['add']);
    assert.equal(usage.code, 2, usage.stderr);
  });

  for (const kind of ['checkout', 'app'] as const) {
    test(`setup through the ${kind} launcher writes a line the AWS CLI and the JS SDK both run`, async () => {
      const launcher = kind === 'checkout' ? checkoutLauncher : appLauncher;
      const role = sb.name(kind === 'checkout' ? 'viacheckout' : 'viaapp');
      const setup = await via(launcher, ['setup', role]);
      assert.equal(setup.code, 0, setup.stderr);
      const config = fs.readFileSync(sb.configFile, 'utf8');
      assert.ok(config.includes(`credential_process = "${launcher}" credential-process ${role}\n`), config);

      if (awsCliAvailable()) {
        // A minimal PATH: the launcher must not depend on the caller's PATH to find node.
        const cli: RunResult = await sb.aws(['sts', 'get-caller-identity', '--profile', role, '--output', 'json'], { env: { PATH: '/usr/bin:/bin' } });
        assert.equal(cli.code, 0, cli.stderr);
        assert.match(JSON.parse(cli.stdout).Arn, /:assumed-role\/Installed\//);
      }

      const script = `
        const { fromProcess } = require('@aws-sdk/credential-providers');
        const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
        const sts = new STSClient({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL, credentials: fromProcess({ profile: process.argv[1] }) });
        sts.send(new GetCallerIdentityCommand({})).then((r) => console.log(r.Arn), (e) => { console.error(e.message); process.exit(1); });`;
      const sdk = await runProcess(process.execPath, ['-e', script, role], { ...sb.env, NODE_PATH: `${REPO}/node_modules` });
      assert.equal(sdk.code, 0, sdk.stderr);
      assert.match(sdk.stdout, /:assumed-role\/Installed\//);
    });
  }

  test('setup refuses a launcher path that shlex and a shell would read differently, and changes nothing', async () => {
    const launcher = installCli({ prefix: path.join(sb.home, 'cost $HOME'), nodeScript: path.join(REPO, 'bin', 'keytray.js'), platform: 'linux' }).path;
    const before = fs.readFileSync(sb.configFile, 'utf8');
    const r = await via(launcher, ['setup', sb.name('dollar')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^keytray: Cannot write ".*cost \$HOME\/keytray" into credential_process safely.*\n$/);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before);
  });

  test("the README's install check runs literally: keytray --version with no display", async () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Install'), readme.indexOf('\n## ', readme.indexOf('## Install') + 1));
    const check = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]).find((b) => b.includes('keytray --version'));
    assert.ok(check, 'the install section shows how to check the installed keytray');
    // As over SSH from a desktop session: the display variables are set, and the block removes them.
    const r = await runProcess('/bin/sh', ['-c', check], { ...sb.env, PATH: `${path.dirname(appLauncher)}:/usr/bin:/bin`, DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0' });
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${VERSION}\n`, '']);
    assert.match(fs.readFileSync(appLauncher, 'utf8'), /keytray-cli\/keytray' "\$@"/, 'the launcher on PATH is the packaged CLI binary');
  });

  test('the app binary runs the CLI in CLI mode only; without --keytray-cli it starts the GUI', async () => {
    const cli = await runProcess(fakeApp, ['--keytray-cli', '--', 'setup', 'no-such-profile'], sb.env);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /^keytray: .*no-such-profile.*\n$/);
    const r = await runProcess(fakeApp, ['--version'], sb.env);
    assert.equal(r.code, 3);
  });
});
