import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSandbox, KEYTRAY_ARGV, type RunResult, type Sandbox } from './harness';
import { refusedEndpointUrl, startSilentEndpoint, startUnconnectableEndpoint, type SilentEndpoint } from './networkFixtures';

/**
 * Every network call ends. An endpoint that accepts the connection and never answers (a captive
 * portal, a dead VPN, a firewall dropping replies) used to hang `keytray credential-process`, and
 * with it every `aws` call, for good. Now it ends in one line within 30 s that names the endpoint,
 * the profile and what to check; so do refused connections and names that do not resolve, from the
 * CLI, through the agent, for IAM and for the console's federation endpoint.
 */

/** The bound the contract sets for an unanswering endpoint. */
const LIMIT_MS = 30_000;

function assertNetworkLine(r: RunResult, elapsedMs: number, pattern: RegExp): string {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing on stdout');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |TimeoutError|@smithy/, 'no stack trace and no SDK internals');
  assert.ok(elapsedMs <= LIMIT_MS, `ended after ${elapsedMs} ms`);
  assert.match(lines[0], pattern);
  return lines[0];
}

async function timed(run: () => Promise<RunResult>): Promise<{ r: RunResult; ms: number }> {
  const start = Date.now();
  const r = await run();
  return { r, ms: Date.now() - start };
}

interface Scenario {
  sb: Sandbox;
  /** A user profile without MFA: its GetSessionToken may be retried. */
  carol: string;
  /** A role profile whose source user has MFA, and that user. */
  ops: string;
  bob: string;
  bobSecret: string;
  code(): string;
}

/** A sandbox with two users and a role; each test below gets its own, so they can run side by side. */
async function scenario(): Promise<Scenario> {
  const sb = await createSandbox();
  const carol = sb.name('carol');
  const bob = sb.name('bob');
  const ops = sb.name('ops');
  const c = sb.emu.createUser(carol);
  const b = sb.emu.createUser(bob);
  const device = sb.emu.enableMfa(bob);
  const role = sb.emu.createRole({ name: ops, trustedPrincipals: [b.arn], requireMfa: true }).arn;
  const cp = `${KEYTRAY_ARGV.join(' ')} credential-process ${carol}`;
  sb.writeConfig(
    `[profile ${carol}]\nregion = us-east-1\n\n[profile ${bob}]\nmfa_serial = ${device.serial}\n\n` +
      `[profile ${ops}]\nrole_arn = ${role}\nsource_profile = ${bob}\n\n[profile via-cli]\ncredential_process = ${cp}\n`,
  );
  for (const [name, key] of [
    [carol, c],
    [bob, b],
  ] as const) {
    const add = await sb.keytray(['add', name, '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
  }
  return { sb, carol, ops, bob, bobSecret: b.secretAccessKey, code: () => device.unusedCode() };
}

async function withScenario(run: (s: Scenario, silent: SilentEndpoint) => Promise<void>): Promise<void> {
  const s = await scenario();
  const silent = await startSilentEndpoint();
  try {
    await run(s, silent);
  } finally {
    await s.sb.keytray(['remove', s.carol, '--yes']);
    await s.sb.keytray(['remove', s.bob, '--yes']);
    await silent.close();
    await s.sb.close();
  }
}

describe('an STS, IAM or sign-in endpoint that never answers', { concurrency: true }, () => {
  test('credential-process gives one line naming the endpoint, the profile and what to check', () =>
    withScenario(async ({ sb, carol }, silent) => {
      const { r, ms } = await timed(() => sb.keytray(['credential-process', carol], { env: { AWS_ENDPOINT_URL_STS: silent.url } }));
      const line = assertNetworkLine(r, ms, new RegExp(`STS at ${silent.url} did not answer GetSessionToken within \\d+ s`));
      assert.match(line, new RegExp(`profile "${carol}"`));
      assert.match(line, /VPN/);
      assert.match(line, /proxy \(HTTP_PROXY\)/, 'the proxy variable for an http endpoint');
      assert.match(line, /AWS_ENDPOINT_URL_STS/);
      // Retried inside the budget, not the SDK's default of three attempts that each wait forever.
      assert.ok(silent.connections() >= 1 && silent.connections() <= 3, `attempts: ${silent.connections()}`);
    }));

  test('a call carrying an MFA code is sent once: AWS may have spent the code', () =>
    withScenario(async ({ sb, ops, bob, bobSecret, code }, silent) => {
      const { r, ms } = await timed(() => sb.keytray(['credential-process', ops, '--mfa-code', code()], { env: { AWS_ENDPOINT_URL_STS: silent.url } }));
      assertNetworkLine(r, ms, new RegExp(`STS at ${silent.url} did not answer GetSessionToken.*profile "${bob}"`));
      assert.equal(silent.connections(), 1, 'one attempt');
      assert.ok(!r.stderr.includes(bobSecret));
    }));

  test('a credential_process caller waiting on the agent gets the same line', () =>
    withScenario(async ({ sb, ops, bob, code }, silent) => {
      const agent = await startAgent(sb, { AWS_ENDPOINT_URL_STS: silent.url });
      try {
        // The client's own environment points at the emulator: the line can only come from the agent.
        const { r, ms } = await timed(() => sb.keytray(['credential-process', ops, '--mfa-code', code()]));
        assertNetworkLine(r, ms, new RegExp(`STS at ${silent.url} did not answer GetSessionToken.*profile "${bob}".*VPN.*AWS_ENDPOINT_URL_STS`));
        assert.equal(silent.connections(), 1);
      } finally {
        await agent.stop();
      }
    }));

  test('parallel callers share one flight and its failure: every one ends within the bound', () =>
    withScenario(async ({ sb, carol }, silent) => {
      const start = Date.now();
      const results = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const r = await sb.keytray(['credential-process', carol], { env: { AWS_ENDPOINT_URL_STS: silent.url } });
          return { r, ms: Date.now() - start };
        }),
      );
      for (const { r, ms } of results) assertNetworkLine(r, ms, new RegExp(`STS at ${silent.url} did not answer GetSessionToken.*profile "${carol}"`));
      assert.ok(silent.connections() <= 3, `one flight's attempts, not one per caller: ${silent.connections()}`);
    }));

  test('a connection that never completes (packets dropped) is one line within the bound', () =>
    withScenario(async ({ sb, carol }) => {
      const dropping = await startUnconnectableEndpoint();
      try {
        const { r, ms } = await timed(() => sb.keytray(['credential-process', carol], { env: { AWS_ENDPOINT_URL_STS: dropping.url } }));
        assertNetworkLine(r, ms, new RegExp(`Could not connect to STS at ${dropping.url} for GetSessionToken within \\d+ s.*profile "${carol}".*VPN`));
      } finally {
        await dropping.close();
      }
    }));

  test('a frozen agent: the client gives up on its silence with one line', () =>
    withScenario(async ({ sb, carol }) => {
      const agent = await startAgent(sb, {});
      agent.freeze();
      try {
        const { r, ms } = await timed(() => sb.keytray(['credential-process', carol]));
        assertNetworkLine(r, ms, /Keytray's agent did not answer: it sent nothing for 15 s.*keytray agent --stop/);
      } finally {
        agent.thaw();
        await agent.stop();
      }
    }));

  test('an agent waiting on a slow MFA source is heard from, so the client waits for it', () =>
    withScenario(async ({ sb, ops, code }) => {
      // Longer than the client's silence limit: only the agent's heartbeat keeps the client waiting.
      const script = path.join(sb.home, 'slow-mfa.sh');
      fs.writeFileSync(script, `#!/bin/sh\nsleep 17\ncat "${path.join(sb.home, 'next-code')}"\n`, { mode: 0o755 });
      const config = fs.readFileSync(sb.configFile, 'utf8').replace(/^(mfa_serial = .*)$/m, `$1\nmfa_process = ${script}`);
      sb.writeConfig(config);
      fs.writeFileSync(path.join(sb.home, 'next-code'), code());
      const agent = await startAgent(sb, {});
      try {
        const { r, ms } = await timed(() => sb.keytray(['credential-process', ops]));
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).Version, 1);
        assert.ok(ms > 17_000, `it did wait for the code: ${ms} ms`);
      } finally {
        await agent.stop();
      }
    }));

  test('the AWS CLI running credential_process gets the line instead of hanging', () =>
    withScenario(async ({ sb }, silent) => {
      const { r, ms } = await timed(() => sb.aws(['sts', 'get-caller-identity', '--profile', 'via-cli'], { env: { AWS_ENDPOINT_URL_STS: silent.url } }));
      assert.notEqual(r.code, 0);
      assert.ok(ms <= LIMIT_MS + 5_000, `ended after ${ms} ms`);
      assert.match(r.stderr, new RegExp(`STS at ${silent.url} did not answer GetSessionToken`));
    }));

  test('IAM during rotate: one line naming IAM and AWS_ENDPOINT_URL_IAM, and the key is kept', () =>
    withScenario(async ({ sb, carol }, silent) => {
      const { r, ms } = await timed(() => sb.keytray(['rotate', carol], { env: { AWS_ENDPOINT_URL_IAM: silent.url } }));
      assertNetworkLine(r, ms, new RegExp(`IAM at ${silent.url} did not answer.*profile "${carol}".*AWS_ENDPOINT_URL_IAM`));
      const still = await sb.keytray(['credential-process', carol]);
      assert.equal(still.code, 0, `the old key still works: ${still.stderr}`);
    }));

  test('the console federation endpoint: one line naming it and KEYTRAY_SIGNIN_URL, never the session', () =>
    withScenario(async ({ sb, ops, code }, silent) => {
      const { r, ms } = await timed(() =>
        sb.keytray(['console', ops, '--print', '--mfa-code', code()], { env: { KEYTRAY_SIGNIN_URL: `${silent.url}/federation` } }),
      );
      const line = assertNetworkLine(r, ms, new RegExp(`SIGNIN at ${silent.url}/federation did not answer getSigninToken.*KEYTRAY_SIGNIN_URL`));
      assert.doesNotMatch(line, /Session=|sessionKey|%7B/, 'the URL with the session is never shown');
    }));
});

describe('an endpoint that refuses, or a name that does not resolve', () => {
  let sb: Sandbox;
  let carol: string;

  before(async () => {
    sb = await createSandbox();
    carol = sb.name('carol');
    const c = sb.emu.createUser(carol);
    sb.writeConfig(`[profile ${carol}]\nregion = us-east-1\n`);
    const add = await sb.keytray(['add', carol, '--env'], { env: { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
  });

  after(async () => {
    await sb.keytray(['remove', carol, '--yes']);
    await sb.close();
  });

  test('a refused connection is one line at once', async () => {
    const url = await refusedEndpointUrl();
    const { r, ms } = await timed(() => sb.keytray(['credential-process', carol], { env: { AWS_ENDPOINT_URL_STS: url } }));
    assertNetworkLine(r, ms, new RegExp(`STS at ${url} refused the connection for GetSessionToken \\(ECONNREFUSED\\).*profile "${carol}".*AWS_ENDPOINT_URL_STS`));
    assert.ok(ms < 10_000, `refusals are not waited on: ${ms} ms`);
  });

  test('a host name that does not resolve names the host', async () => {
    const { r, ms } = await timed(() => sb.keytray(['credential-process', carol], { env: { AWS_ENDPOINT_URL: 'https://sts.keytray-test.invalid' } }));
    assertNetworkLine(r, ms, /Could not resolve the STS host sts\.keytray-test\.invalid for GetSessionToken \((ENOTFOUND|EAI_AGAIN)\).*AWS_ENDPOINT_URL\b/);
  });
});

async function startAgent(sb: Sandbox, env: NodeJS.ProcessEnv): Promise<{ output(): string; freeze(): void; thaw(): void; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(KEYTRAY_ARGV[0], [...KEYTRAY_ARGV.slice(1), 'agent'], { env: { ...sb.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d) => (out += d));
  const start = Date.now();
  while (!/listening on/.test(out)) {
    if (child.exitCode !== null || Date.now() - start > 10_000) throw new Error(`the agent did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    output: () => out,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      // A test that failed while the agent was frozen must not wait forever: a stopped process
      // takes SIGTERM only once continued, and one that ignores it gets SIGKILL after 5 s.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
