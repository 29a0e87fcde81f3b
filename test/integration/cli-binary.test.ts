import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appBinaryBesideCliBinary, cliBinaryInResources, KEYRING_ADDON_FILE } from '../../electron/core/install/cliBinaryLayout';
import { awsCliAvailable, CLI_BINARY, createSandbox, KEYTRAY_ARGV, parseCredentialDocument, REPO, runProcess, type Sandbox } from './harness';

const VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;

/**
 * The packaged command line itself (dist/cli-binary, from `npm run build:cli-binary`), installed the
 * way the deb installs it: copied into an app folder with only the keyring binding beside it, far
 * from node_modules, and run with no display. The rest of the integration suite runs against the
 * same binary in npm test's second pass (KEYTRAY_TEST_CLI_BINARY=1).
 */
describe('the CLI binary', () => {
  let sb: Sandbox;
  let binary: string;
  let user: string, role: string;
  /** The sandbox's environment with no display of any kind, as over SSH or on a server. */
  let headless: NodeJS.ProcessEnv;

  before(async () => {
    assert.ok(fs.existsSync(CLI_BINARY), `${CLI_BINARY} is missing: run \`npm run build:cli-binary\` first`);
    sb = await createSandbox();
    binary = cliBinaryInResources(path.join(sb.home, 'opt', 'Keytray', 'resources'), 'linux');
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.copyFileSync(CLI_BINARY, binary);
    fs.copyFileSync(path.join(path.dirname(CLI_BINARY), KEYRING_ADDON_FILE), path.join(path.dirname(binary), KEYRING_ADDON_FILE));
    headless = { ...sb.env };
    delete headless.DISPLAY;
    delete headless.WAYLAND_DISPLAY;

    user = sb.name('bin-user');
    role = sb.name('bin-role');
    const u = sb.emu.createUser(user);
    const arn = sb.emu.createRole({ name: 'BinaryRole', trustedPrincipals: [u.arn] }).arn;
    sb.writeConfig(`[profile ${user}]\nregion = us-east-1\n\n[profile ${role}]\nrole_arn = ${arn}\nsource_profile = ${user}\n`);
    const add = await runProcess(binary, ['add', user, '--env'], { ...headless, AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey });
    assert.equal(add.code, 0, add.stderr);
  });

  after(async () => {
    await sb.keytray(['agent', '--stop']);
    await sb.keytray(['remove', user, '--yes']);
    await sb.close();
  });

  test('starts with no display: --version, setup, and the AWS CLI through credential_process', async () => {
    assert.equal(headless.DISPLAY, undefined);
    const version = await runProcess(binary, ['--version'], headless);
    assert.deepEqual([version.code, version.stdout, version.stderr], [0, `${VERSION}\n`, '']);

    const setup = await runProcess(binary, ['setup', role], headless);
    assert.equal(setup.code, 0, setup.stderr);
    assert.ok(fs.readFileSync(sb.configFile, 'utf8').includes(`credential_process = ${binary} credential-process ${role}\n`), 'setup names the binary itself');
    if (awsCliAvailable()) {
      const cli = await sb.aws(['sts', 'get-caller-identity', '--profile', role, '--output', 'json'], { env: { PATH: '/usr/bin:/bin' } });
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(JSON.parse(cli.stdout).Arn, /:assumed-role\/BinaryRole\//);
      assert.equal(cli.stderr, '', 'nothing on stderr, which the AWS CLI would show as an error');
    }
  });

  test('a cached session comes from the keychain through the binding beside the binary, and the one-line errors stay', async () => {
    const first = await runProcess(binary, ['credential-process', role], headless);
    assert.equal(first.code, 0, first.stderr);
    const calls = sb.emu.calls.length;
    const hit = await runProcess(binary, ['credential-process', role], headless);
    assert.equal(hit.code, 0, hit.stderr);
    assert.equal(parseCredentialDocument(hit.stdout).AccessKeyId, parseCredentialDocument(first.stdout).AccessKeyId);
    assert.equal(sb.emu.calls.length, calls, 'served from the cache, no STS call');

    const unknown = await runProcess(binary, ['credential-process', 'no-such-profile'], headless);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^keytray: Profile "no-such-profile" is not in .*\n$/);
    const usage = await runProcess(binary, ['frobnicate'], headless);
    assert.equal(usage.code, 2);
  });

  test('without its keyring binding it says so in one line, and never reads that as "no key"', async () => {
    const bare = path.join(sb.home, 'bare', 'keytray');
    fs.mkdirSync(path.dirname(bare));
    fs.copyFileSync(binary, bare);
    const r = await runProcess(bare, ['list'], headless);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`^keytray: The keyring binding ${path.join(path.dirname(bare), KEYRING_ADDON_FILE)} cannot be loaded.*Reinstall Keytray.*\\n$`));
  });

  test('NODE_OPTIONS: Node refuses --inspect in the binary, but --require still runs, which is why macOS and Windows never let it open the keychain', async () => {
    const inspect = await runProcess(binary, ['credential-process', role], { ...headless, NODE_OPTIONS: '--inspect' });
    assert.equal(inspect.code, 9);
    assert.equal(inspect.stdout, '', 'no credentials with a debugger port asked for');
    assert.match(inspect.stderr, /--inspect is not allowed in NODE_OPTIONS/);

    const marker = path.join(sb.home, 'injected');
    const preload = path.join(sb.home, 'inject.js');
    fs.writeFileSync(preload, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const injected = await runProcess(binary, ['--version'], { ...headless, NODE_OPTIONS: `--require=${preload}` });
    assert.equal(injected.code, 0, injected.stderr);
    assert.equal(fs.readFileSync(marker, 'utf8'), 'ran');
  });
});

/**
 * The macOS configuration of the same program, run here under Node: the CLI binary's dispatch with
 * platform 'darwin', inside a Keytray.app laid out as electron-builder packs it, whose app binary is
 * a stand-in doing what electron/main does first (CLI mode). Every native module the CLI process
 * opens is recorded: the keychain must only ever be opened by the app.
 */
describe('the CLI binary on the macOS configuration', () => {
  let sb: Sandbox;
  let cliBinary: string, appLog: string, report: string, runner: string;
  let user: string, role: string;

  before(async () => {
    sb = await createSandbox();
    const resources = path.join(sb.home, 'Applications', 'Keytray.app', 'Contents', 'Resources');
    cliBinary = cliBinaryInResources(resources, 'darwin');
    const app = appBinaryBesideCliBinary(cliBinary, 'darwin');
    appLog = path.join(sb.home, 'app-argv.json');
    report = path.join(sb.home, 'cli-opened.json');
    fs.mkdirSync(path.dirname(app), { recursive: true });
    fs.writeFileSync(
      app,
      [
        `#!${process.execPath}`,
        `require('fs').appendFileSync(${JSON.stringify(appLog)}, JSON.stringify(process.argv.slice(2)) + '\\n');`,
        `if (!require(${JSON.stringify(path.join(REPO, 'dist', 'electron', 'cli', 'packagedCliMode.js'))}).startCliModeIfRequested(process.argv)) process.exit(3);`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    runner = path.join(sb.home, 'cli-binary-as-darwin.js');
    fs.writeFileSync(
      runner,
      [
        "const Module = require('module');",
        'const opened = [];',
        // Written at once, not at exit: a process that dies of a signal runs no exit handlers.
        `const record = (what) => { opened.push(what); require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(opened)); };`,
        `require('fs').writeFileSync(${JSON.stringify(report)}, '[]');`,
        'const dlopen = process.dlopen;',
        'process.dlopen = (m, file, ...rest) => { record(file); return dlopen(m, file, ...rest); };',
        'const load = Module._load;',
        'Module._load = function (request, ...rest) { if (/keyring|keychainCache/i.test(request)) record(request); return load.call(this, request, ...rest); };',
        `const { runCliBinary } = require(${JSON.stringify(path.join(REPO, 'dist', 'electron', 'cli', 'cliBinary.js'))});`,
        `runCliBinary(process.argv.slice(2), 'darwin', ${JSON.stringify(cliBinary)}).catch((e) => { process.stderr.write('keytray: ' + e.toLine() + '\\n'); process.exit(e.exitCode); });`,
        '',
      ].join('\n'),
    );

    user = sb.name('mac-user');
    role = sb.name('mac-role');
    const u = sb.emu.createUser(user);
    const arn = sb.emu.createRole({ name: 'MacRole', trustedPrincipals: [u.arn] }).arn;
    sb.writeConfig(`[profile ${user}]\nregion = us-east-1\n\n[profile ${role}]\nrole_arn = ${arn}\nsource_profile = ${user}\n`);
    const add = await sb.keytray(['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
  });

  after(async () => {
    await sb.keytray(['agent', '--stop']);
    await sb.keytray(['remove', user, '--yes']);
    await sb.close();
  });

  const asMacCliBinary = async (args: string[]) => {
    fs.rmSync(appLog, { force: true });
    const r = await runProcess(process.execPath, [runner, ...args], sb.env);
    const appRuns = fs.existsSync(appLog) ? fs.readFileSync(appLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
    return { ...r, appRuns, openedByCli: JSON.parse(fs.readFileSync(report, 'utf8')) as string[] };
  };

  test('with no agent, a command runs in the app binary, and the CLI binary opens no keychain', async () => {
    const r = await asMacCliBinary(['list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).some((p: { name: string; hasKey: boolean }) => p.name === user && p.hasKey), r.stdout);
    assert.deepEqual(r.appRuns, [['--keytray-cli', '--', 'list', '--json']]);
    assert.deepEqual(r.openedByCli, []);

    const cp = await asMacCliBinary(['credential-process', role]);
    assert.equal(cp.code, 0, cp.stderr);
    assert.ok(parseCredentialDocument(cp.stdout).SessionToken);
    assert.deepEqual(cp.appRuns, [['--keytray-cli', '--', 'credential-process', role]], 'a cache hit without an agent is the app’s to serve');
    assert.deepEqual(cp.openedByCli, []);
  });

  test("the app's exit status and one-line error reach the caller", async () => {
    const r = await asMacCliBinary(['setup', 'no-such-profile']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^keytray: .*no-such-profile.*\n$/);
    const usage = await asMacCliBinary(['add']);
    assert.equal(usage.code, 2);
  });

  test('a command the app runs through exec keeps its exit status and its signal', async () => {
    const status = await asMacCliBinary(['exec', role, '--', '/bin/sh', '-c', 'exit 7']);
    assert.equal(status.code, 7, status.stderr);
    const killed = await asMacCliBinary(['exec', role, '--', '/bin/sh', '-c', 'kill -TERM $$']);
    assert.deepEqual([killed.code, killed.signal], [null, 'SIGTERM'], killed.stderr);
    assert.deepEqual(killed.openedByCli, []);
  });

  test('with an agent running, credential_process is answered by the agent and the app is not started', async () => {
    const agent = await startAgent(sb);
    try {
      const r = await asMacCliBinary(['credential-process', role]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(parseCredentialDocument(r.stdout).SessionToken);
      assert.deepEqual(r.appRuns, []);
      assert.deepEqual(r.openedByCli, []);
    } finally {
      agent.kill('SIGTERM');
      await new Promise((resolve) => (agent.exitCode !== null ? resolve(null) : agent.once('exit', resolve)));
    }
  });

  test('--version answers without the app; a CLI binary with no app beside it says how to fix that', async () => {
    const v = await asMacCliBinary(['--version']);
    assert.deepEqual([v.code, v.stdout.trim(), v.appRuns], [0, VERSION, []]);

    fs.rmSync(appBinaryBesideCliBinary(cliBinary, 'darwin'));
    const r = await asMacCliBinary(['list']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^keytray: The Keytray app was not found at .*Keytray\.app\/Contents\/MacOS\/Keytray\. .*reinstall Keytray.*\n$/);
  });
});

async function startAgent(sb: Sandbox): Promise<ChildProcess> {
  const agent = spawn(KEYTRAY_ARGV[0], [...KEYTRAY_ARGV.slice(1), 'agent'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  agent.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
  agent.stderr!.setEncoding('utf8').on('data', (d) => (out += d));
  const start = Date.now();
  while (!/listening on/.test(out)) {
    if (agent.exitCode !== null) throw new Error(`the agent exited: ${out}`);
    if (Date.now() - start > 10_000) throw new Error(`the agent did not listen within 10 s: ${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return agent;
}
