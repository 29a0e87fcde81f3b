import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { awsCliAvailable, createSandbox, KEYTRAY_ARGV, runProcess, type Sandbox } from './harness';

/**
 * credential_process under load and under failure: 16 parallel `aws` calls on a cold cache, with
 * and without the agent; a helper killed while holding the lock; an agent killed with SIGKILL; a
 * stranger at the agent's socket; the terminal prompt under a pseudo-terminal; a reused TOTP code.
 */
describe('single flight, the agent, and MFA prompting', { skip: !awsCliAvailable() && 'no /usr/bin/aws' }, () => {
  let sb: Sandbox;
  let user: string, role: string;
  let counterFile: string;
  let serial: string;

  before(async () => {
    sb = await createSandbox();
    user = sb.name('carol');
    role = sb.name('carol-admin');
    const u = sb.emu.createUser(user);
    serial = sb.emu.enableMfa(user).serial;
    const roleArn = sb.emu.createRole({ name: 'CarolAdmin', trustedPrincipals: [u.arn], requireMfa: true }).arn;
    counterFile = path.join(sb.home, 'mfa-process-runs');
    // mfa_process: counts its runs and prints a code STS will accept (fetched from the emulator the
    // way `ykman oath accounts code` would read it off a YubiKey).
    const script = path.join(sb.home, 'mfa.js');
    fs.writeFileSync(
      script,
      `require('fs').appendFileSync(${JSON.stringify(counterFile)}, 'x');
       fetch(${JSON.stringify(`${sb.emu.url}/__emulator/totp?unused=1&serial=${encodeURIComponent(serial)}`)})
         .then((r) => r.text()).then((t) => process.stdout.write(t.trim() + '\\n'));`,
    );
    sb.writeConfig(
      `[profile ${user}]\nmfa_serial = ${serial}\nmfa_process = ${process.execPath} ${script}\nregion = us-east-1\n\n` +
        `[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\nregion = us-east-1\n`,
    );
    const add = await sb.keytray(['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
    const setup = await sb.keytray(['setup', role]);
    assert.equal(setup.code, 0, setup.stderr);
  });

  after(async () => {
    await sb.keytray(['remove', user, '--yes']);
    await sb.keytray(['clear']);
    await sb.close();
  });

  /**
   * The environment of a client that only an agent can serve: its session bus leads nowhere, so a
   * helper that fell back to the keychain would fail instead of quietly passing the test.
   */
  const agentOnly = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/keytray-test-bus' };

  const mfaRuns = () => (fs.existsSync(counterFile) ? fs.readFileSync(counterFile, 'utf8').length : 0);

  async function sixteenCalls(env: NodeJS.ProcessEnv = {}): Promise<void> {
    sb.emu.resetCalls();
    const runsBefore = mfaRuns();
    const results = await Promise.all(
      Array.from({ length: 16 }, () => sb.aws(['sts', 'get-caller-identity', '--profile', role, '--output', 'json'], { env })),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    for (const r of results) assert.match(JSON.parse(r.stdout).Arn, /assumed-role\/CarolAdmin\//);
    assert.equal(sb.emu.count('GetCallerIdentity', true), 16);
    assert.equal(sb.emu.count('GetSessionToken'), 1, 'one GetSessionToken');
    assert.equal(sb.emu.count('AssumeRole'), 1, 'one AssumeRole');
    assert.equal(mfaRuns() - runsBefore, 1, 'one mfa_process run');
  }

  test('16 concurrent aws calls on a cold cache make one MFA prompt and one call each to STS, with no agent', async () => {
    await sb.keytray(['clear']);
    await sixteenCalls();
  });

  test('and the same with `keytray agent` running', async () => {
    await sb.keytray(['clear']);
    await withAgent(sb, () => sixteenCalls(agentOnly));
  });

  test('env --server exports an endpoint the agent hosts, and the AWS CLI uses it without raw keys', async () => {
    await withAgent(sb, async () => {
      const exported = await sb.keytray(['env', role, '--server', '--format', 'sh']);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stdout, /^export AWS_CONTAINER_CREDENTIALS_FULL_URI='http:\/\/127\.0\.0\.1:\d+\//m);
      assert.match(exported.stdout, /^export AWS_CONTAINER_AUTHORIZATION_TOKEN='/m);
      assert.doesNotMatch(exported.stdout, /AWS_SECRET_ACCESS_KEY=|AWS_SESSION_TOKEN=/);
      const r = await sb.run('bash', ['-c', `${exported.stdout}\n/usr/bin/aws sts get-caller-identity --output json --endpoint-url "$AWS_ENDPOINT_URL"`], {
        env: { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(JSON.parse(r.stdout).Arn, /assumed-role\/CarolAdmin\//);
    });
    const noAgent = await sb.keytray(['env', role, '--server']);
    assert.equal(noAgent.code, 1);
    assert.match(noAgent.stderr, /No Keytray agent is running/);
  });

  test('a helper killed while holding the lock does not block the next call', async () => {
    await sb.keytray(['clear']);
    sb.emu.inject({ kind: 'latency', action: 'AssumeRole', latencyMs: 4000 });
    const child = spawn(KEYTRAY_ARGV[0], [...KEYTRAY_ARGV.slice(1), 'credential-process', role], { env: sb.env, stdio: 'ignore', detached: true });
    const lockDir = path.join(sb.dataDir, 'locks');
    await waitFor(() => fs.existsSync(lockDir) && fs.readdirSync(lockDir).some((f) => f.endsWith('.lock')), 'the helper to take its lock');
    child.kill('SIGKILL');
    await onceExited(child);
    sb.emu.clearFaults();
    const r = await sb.keytray(['credential-process', role]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Version, 1);
  });

  test('an agent killed with SIGKILL: the CLI falls back, and a new agent starts over the stale socket', async () => {
    const agent = await startAgentProcess(sb);
    agent.kill('SIGKILL');
    await onceExited(agent);
    assert.ok(fs.existsSync(path.join(sb.dataDir, 'agent', 'agent.sock')), 'the socket is left behind');
    const r = await sb.keytray(['credential-process', role]);
    assert.equal(r.code, 0, r.stderr);
    await withAgent(sb, async (again) => {
      const viaAgent = await sb.keytray(['credential-process', role], { env: agentOnly });
      assert.equal(viaAgent.code, 0, viaAgent.stderr);
      const stop = await sb.keytray(['agent', '--stop']);
      assert.equal(stop.code, 0, stop.stderr);
      await onceExited(again);
    });
  });

  test('a second agent refuses to start beside a live one, which keeps serving', async () => {
    await withAgent(sb, async (agent) => {
      const second = await sb.keytray(['agent']);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /^keytray: Another Keytray agent is already running\. Stop it with `keytray agent --stop`\.\n$/);
      const viaAgent = await sb.keytray(['credential-process', role], { env: agentOnly });
      assert.equal(viaAgent.code, 0, viaAgent.stderr);
      const stop = await sb.keytray(['agent', '--stop']);
      assert.equal(stop.stdout, `Stopped the Keytray agent (pid ${agent.pid}).\n`, 'the first agent was still the one answering');
    });
  });

  test("a client with its own AWS_CONFIG_FILE is not served the agent's profile of the same name", async () => {
    await withAgent(sb, async () => {
      const otherConfig = path.join(sb.home, 'other-config');
      fs.writeFileSync(otherConfig, `[profile ${user}]\nregion = eu-west-1\n`);
      const r = await sb.keytray(['credential-process', role], { env: { AWS_CONFIG_FILE: otherConfig } });
      assert.equal(r.code, 1, 'the agent declined, and this config has no such profile');
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^keytray: Profile "${role}" is not in ${otherConfig}`));
      const same = await sb.keytray(['credential-process', role], { env: agentOnly });
      assert.equal(same.code, 0, same.stderr);
    });
  });

  test('the agent refuses a request without the token, and is out of reach of other users', async () => {
    await withAgent(sb, async () => {
      const socketPath = path.join(sb.dataDir, 'agent', 'agent.sock');
      const answer = await rawRequest(socketPath, { op: 'credentials', token: 'not-the-token', request: { profile: role }, requester: { pid: 1 } });
      assert.match(answer, /"ok":false/);
      assert.match(answer, /Refused/);
      assert.doesNotMatch(answer, /ASIA|SecretAccessKey/);
      assert.equal(fs.statSync(path.join(sb.dataDir, 'agent')).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.join(sb.dataDir, 'agent', 'token')).mode & 0o777, 0o600);
      if (process.getuid?.() === 0 && fs.existsSync('/usr/bin/setpriv')) {
        // Another user cannot even reach the socket: the 0700 directory stops it at connect().
        const probe = `require('net').connect(${JSON.stringify(socketPath)}).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`;
        const r = await runProcess('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', probe], sb.env);
        assert.equal(r.stdout.trim(), 'EACCES', r.stderr);
      }
    });
  });

  const hasScript = fs.existsSync('/usr/bin/script');

  /** `aws` under script(1), cold cache, no mfa_process: the terminal is the only code source left. */
  async function promptOnTerminal(tag: string, awsEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    const ttyUser = sb.name(`tty-user-${tag}`);
    const ttyRole = sb.name(`tty-role-${tag}`);
    const u = sb.emu.createUser(ttyUser);
    const device = sb.emu.enableMfa(ttyUser);
    const arn = sb.emu.createRole({ name: `TtyRole${tag}`, trustedPrincipals: [u.arn], requireMfa: true }).arn;
    fs.appendFileSync(sb.configFile, `\n[profile ${ttyUser}]\nmfa_serial = ${device.serial}\n\n[profile ${ttyRole}]\nrole_arn = ${arn}\nsource_profile = ${ttyUser}\n`);
    await sb.keytray(['add', ttyUser, '--env'], { env: { AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey } });
    await sb.keytray(['setup', ttyRole]);
    try {
      const awsCmd = `/usr/bin/aws sts get-caller-identity --profile ${ttyRole} --output json --endpoint-url ${sb.emu.url}`;
      const child = spawn('/usr/bin/script', ['-q', '-e', '-c', awsCmd, '/dev/null'], { env: { ...sb.env, ...awsEnv, TERM: 'dumb' }, stdio: 'pipe' });
      let screen = '';
      child.stdout.setEncoding('utf8').on('data', (d) => (screen += d));
      await waitFor(() => /MFA code for profile/.test(screen), 'the MFA prompt on the terminal', 20_000);
      assert.match(screen, new RegExp(device.serial.replace(/[/]/g, '\\/')));
      child.stdin.write(`${device.unusedCode()}\r`);
      const code = await onceExited(child);
      assert.equal(code, 0, screen);
      assert.match(screen, new RegExp(`assumed-role/TtyRole${tag}/`));
    } finally {
      await sb.keytray(['remove', ttyUser, '--yes']);
    }
  }

  test('under a pseudo-terminal, aws shows the MFA prompt and the typed code is accepted', { skip: !hasScript && 'no script(1)' }, async () => {
    await promptOnTerminal('A');
  });

  test('and the same when a headless agent runs: it asks the helper, which asks the terminal', { skip: !hasScript && 'no script(1)' }, async () => {
    await withAgent(sb, () => promptOnTerminal('B', agentOnly));
  });

  test('a code entered twice in one window says to wait for the next code, without asking STS', async () => {
    await sb.keytray(['clear']);
    const reuseUser = sb.name('reuse');
    const u = sb.emu.createUser(reuseUser);
    const device = sb.emu.enableMfa(reuseUser);
    fs.appendFileSync(sb.configFile, `\n[profile ${reuseUser}]\nmfa_serial = ${device.serial}\n`);
    await sb.keytray(['add', reuseUser, '--env'], { env: { AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey } });
    try {
      const code = device.unusedCode();
      const first = await sb.keytray(['credential-process', reuseUser, '--mfa-code', code]);
      assert.equal(first.code, 0, first.stderr);
      await sb.keytray(['clear', reuseUser]);
      const sessionsBefore = sb.emu.count('GetSessionToken');
      const second = await sb.keytray(['credential-process', reuseUser, '--mfa-code', code]);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /^keytray: .*already used.*wait for the next code/);
      assert.equal(second.stderr.trim().split('\n').length, 1);
      assert.equal(sb.emu.count('GetSessionToken'), sessionsBefore, 'STS never saw the reused code');
    } finally {
      await sb.keytray(['remove', reuseUser, '--yes']);
    }
  });
});

/** Runs `run` while a `keytray agent` runs, and stops the agent whatever happens. */
async function withAgent(sb: Sandbox, run: (agent: ChildProcess) => Promise<void>): Promise<void> {
  const agent = await startAgentProcess(sb);
  try {
    await run(agent);
  } finally {
    agent.kill('SIGTERM');
    await onceExited(agent);
  }
}

async function startAgentProcess(sb: Sandbox): Promise<ChildProcess> {
  const agent = spawn(KEYTRAY_ARGV[0], [...KEYTRAY_ARGV.slice(1), 'agent'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  agent.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
  agent.stderr!.setEncoding('utf8').on('data', (d) => (out += d));
  await waitFor(() => /listening on/.test(out) || agent.exitCode !== null, 'the agent to listen');
  assert.equal(agent.exitCode, null, `agent exited: ${out}`);
  return agent;
}

function onceExited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function rawRequest(socketPath: string, message: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let data = '';
    s.on('connect', () => s.write(`${JSON.stringify(message)}\n`));
    s.setEncoding('utf8').on('data', (d) => (data += d));
    s.on('close', () => resolve(data));
    s.on('error', reject);
  });
}
