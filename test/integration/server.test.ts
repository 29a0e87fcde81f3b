import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { CREDENTIALS_PATH, startCredentialsServer, type CredentialsRequestEvent, type RunningCredentialsServer } from '../../electron/core/credentialsServer/credentialsServer';
import { environmentForEndpoint, formatEndpointExport } from '../../electron/core/credentialsServer/endpointEnvironment';
import { ProfileEndpoints } from '../../electron/core/credentialsServer/profileEndpoints';
import type { SecretBackend } from '../../electron/core/keychain/secretBackend';
import type { RequestContext } from '../../electron/core/sessions/sessionEngine';
import { writeActiveProfile } from '../../electron/core/settings';
import { createVault } from '../../electron/core/vault';
import { awsCliAvailable, createSandbox, REPO, type Sandbox } from './harness';

/**
 * The local credentials endpoint: its refusals, the JS SDK's default provider chain in a
 * long-running process across several role lifetimes, and the AWS CLI through `exec --server`.
 */

function get(server: RunningCredentialsServer, headers: Record<string, string>, opts: { method?: string; path?: string } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method: opts.method ?? 'GET', path: opts.path ?? CREDENTIALS_PATH, headers, setHost: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('credentials endpoint refusals', () => {
  let server: RunningCredentialsServer;
  const events: CredentialsRequestEvent[] = [];
  const session = { accessKeyId: 'ASIATESTTESTTEST1234', secretAccessKey: 'secret', sessionToken: 'token', expiration: Date.UTC(2030, 0, 1, 12) };
  /** How often the server asked for credentials: a refused request must not make it fetch any. */
  let credentialCalls = 0;

  before(async () => {
    server = await startCredentialsServer({
      profile: 'admin',
      credentials: async () => {
        credentialCalls++;
        return session;
      },
      onRequest: (e) => events.push(e),
    });
  });
  after(() => server.close());

  const host = () => `127.0.0.1:${server.port}`;

  test('the right token, from a non-browser client, gets the container credentials document', async () => {
    const r = await get(server, { Host: host(), Authorization: server.token });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { AccessKeyId: session.accessKeyId, SecretAccessKey: 'secret', Token: 'token', Expiration: '2030-01-01T12:00:00Z' });
    const viaLocalhost = await get(server, { Host: `localhost:${server.port}`, Authorization: server.token });
    assert.equal(viaLocalhost.status, 200);
  });

  test('the URL is on 127.0.0.1 and the token is 32 random bytes', () => {
    assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}${CREDENTIALS_PATH}$`));
    assert.ok(Buffer.from(server.token, 'base64url').length >= 32);
  });

  test('no token is refused', async () => {
    const r = await get(server, { Host: host() });
    assert.equal(r.status, 401);
    assert.ok(!r.body.includes('secret'));
    assert.equal(events.at(-1)?.refused, 'no-token');
  });

  test('a wrong token is refused, whatever its length', async () => {
    // The last character swapped for a different one (a fixed 'A' would equal a token ending in 'A').
    const oneOff = `${server.token.slice(0, -1)}${server.token.endsWith('A') ? 'B' : 'A'}`;
    for (const wrong of [oneOff, 'x', `${server.token}${server.token}`]) {
      const r = await get(server, { Host: host(), Authorization: wrong });
      assert.equal(r.status, 403);
      assert.equal(events.at(-1)?.refused, 'bad-token');
    }
  });

  test('a request with an Origin header is refused even with the right token', async () => {
    const r = await get(server, { Host: host(), Authorization: server.token, Origin: 'https://evil.example' });
    assert.equal(r.status, 403);
    assert.equal(events.at(-1)?.refused, 'browser-origin');
    const fetchMeta = await get(server, { Host: host(), Authorization: server.token, 'Sec-Fetch-Site': 'cross-site' });
    assert.equal(fetchMeta.status, 403);
  });

  test('a Host other than 127.0.0.1 or localhost on this port is refused (DNS rebinding)', async () => {
    for (const bad of [`evil.example:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`, `localhost.evil.example:${server.port}`]) {
      const r = await get(server, { Host: bad, Authorization: server.token });
      assert.equal(r.status, 403, bad);
      assert.equal(events.at(-1)?.refused, 'bad-host');
    }
  });

  test('other methods and paths are refused, so it serves nothing but its one profile', async () => {
    const callsBefore = credentialCalls;
    const post = await get(server, { Host: host(), Authorization: server.token }, { method: 'POST' });
    const other = await get(server, { Host: host(), Authorization: server.token }, { path: '/keytray/credentials/other' });
    const root = await get(server, { Host: host(), Authorization: server.token }, { path: '/' });
    assert.equal(post.status, 405);
    assert.equal(other.status, 404);
    assert.equal(root.status, 404);
    assert.ok(events.every((e) => e.profile === 'admin'));
    assert.equal(credentialCalls, callsBefore, 'a refused method or path never fetches credentials');
    for (const r of [post, other, root]) {
      for (const secret of [session.accessKeyId, session.secretAccessKey, session.sessionToken]) assert.ok(!r.body.includes(secret), r.body);
    }
  });

  test('a failure to get credentials is one line in the body, and a long-term key is never served', async () => {
    const failing = await startCredentialsServer({
      profile: 'ops',
      credentials: async () => ({ accessKeyId: 'AKIALONGTERMKEY00001', secretAccessKey: 'long-term-secret' }),
    });
    try {
      const r = await get(failing, { Host: `127.0.0.1:${failing.port}`, Authorization: failing.token });
      assert.equal(r.status, 500);
      assert.match(JSON.parse(r.body).Message, /serves sessions only/);
      assert.ok(!r.body.includes('long-term-secret') && !r.body.includes('AKIALONGTERMKEY00001'));
    } finally {
      await failing.close();
    }
  });
});

/** A Node process that keeps using the JS SDK; the test moves its clock along with the emulator's. */
const LONG_RUNNING_CLIENT = `
const { createRequire } = require('node:module');
const sdkRequire = createRequire(${JSON.stringify(path.join(REPO, 'package.json'))});
const { STSClient, GetCallerIdentityCommand } = sdkRequire('@aws-sdk/client-sts');
// The SDK decides when to refetch from Date.now(); shifting it stands in for real minutes passing.
const RealDate = Date;
let offset = 0;
class ShiftedDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }
  static now() { return RealDate.now() + offset; }
}
globalThis.Date = ShiftedDate;
// The default provider chain: nothing in the environment or config, so it reaches the container provider.
const client = new STSClient({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL });
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const cmd = JSON.parse(line);
  if (cmd.advance) {
    offset += cmd.advance;
    // Sign with wall time: the emulator checks signatures against its real clock.
    client.config.systemClockOffset = -offset;
    console.log(JSON.stringify({ advanced: offset }));
    return;
  }
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    const creds = await client.config.credentials();
    console.log(JSON.stringify({ ok: true, arn: out.Arn, key: creds.accessKeyId.slice(-4) }));
  } catch (err) {
    console.log(JSON.stringify({ ok: false, error: String(err && (err.name + ': ' + err.message)) }));
  }
});
`;

/**
 * This run counts MFA prompts over many refreshes, and other test files clear every session in the
 * shared keyring while they run; so its vault keeps items to itself. The keychain has tests of its own.
 */
class MemoryBackend implements SecretBackend {
  private readonly items = new Map<string, string>();
  get = (account: string) => this.items.get(account) ?? null;
  set = (account: string, value: string) => void this.items.set(account, value);
  delete = (account: string) => this.items.delete(account);
  list = () => [...this.items].map(([account, value]) => ({ account, value }));
}

describe('credentials endpoint with the JS SDK over two role lifetimes', () => {
  let sb: Sandbox;
  let alice: string, worker: string;
  let device: { serial: string; unusedCode(): string };
  let user: { accessKeyId: string; secretAccessKey: string };

  before(async () => {
    sb = await createSandbox();
    alice = sb.name('alice');
    worker = sb.name('worker');
    const created = sb.emu.createUser(alice);
    user = created;
    device = sb.emu.enableMfa(alice);
    const role = sb.emu.createRole({ name: 'Worker', trustedPrincipals: [created.arn], requireMfa: true }).arn;
    sb.writeConfig(
      `[profile ${alice}]\nmfa_serial = ${device.serial}\n\n` +
        `[profile ${worker}]\nrole_arn = ${role}\nsource_profile = ${alice}\nduration_seconds = 900\n`,
    );
  });

  after(() => sb.close());

  test('a long-running process keeps calling STS while the endpoint renews the role without a new MFA code', async () => {
    // Keytray's side runs in this process on the emulator's clock, so sessions expire for both together.
    const vault = createVault({ env: sb.env, clock: { now: () => sb.emu.clock.now() }, backend: new MemoryBackend() });
    vault.store.setLongTermKey(alice, { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, storedAt: sb.emu.clock.now() });
    let prompts = 0;
    const ctx: RequestContext = {
      mfa: async () => {
        prompts++;
        return device.unusedCode();
      },
    };
    const server = await startCredentialsServer({
      profile: worker,
      credentials: async () => (await vault.engine.getCredentials({ profile: worker }, ctx)).credentials,
    });
    const emptyConfig = path.join(sb.home, 'empty-aws-config');
    fs.writeFileSync(emptyConfig, '');
    const child = spawn(process.execPath, ['-e', LONG_RUNNING_CLIENT], {
      env: {
        PATH: process.env.PATH,
        HOME: sb.home,
        AWS_CONFIG_FILE: emptyConfig,
        AWS_SHARED_CREDENTIALS_FILE: emptyConfig,
        AWS_ENDPOINT_URL: sb.emu.url,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: server.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: server.token,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ask = async (cmd: object) => {
      child.stdin.write(`${JSON.stringify(cmd)}\n`);
      const next = await lines.next();
      assert.ok(!next.done, `the client exited: ${stderr}`);
      return JSON.parse(next.value) as { ok?: boolean; arn?: string; key?: string; error?: string };
    };

    try {
      const keys = new Set<string>();
      const results = [];
      // 5-minute steps over 35 minutes: more than two 15-minute role sessions.
      for (let minute = 0; minute <= 35; minute += 5) {
        if (minute > 0) {
          sb.emu.clock.advance(5 * 60_000);
          await ask({ advance: 5 * 60_000 });
        }
        const r = await ask({ call: true });
        results.push({ minute, ...r });
        assert.equal(r.ok, true, `GetCallerIdentity at minute ${minute}: ${r.error}`);
        assert.match(r.arn!, /:assumed-role\/Worker\//);
        keys.add(r.key!);
      }
      assert.ok(keys.size >= 3, `the SDK received at least three role sessions, got ${keys.size}: ${JSON.stringify(results)}`);
      assert.equal(prompts, 1, 'one MFA code for the whole run');
      assert.equal(sb.emu.count('GetSessionToken', true), 1);
      assert.ok(sb.emu.count('AssumeRole', true) >= 3);
      assert.equal(sb.emu.calls.filter((c) => c.action === 'GetCallerIdentity' && !c.ok).length, 0, 'no expired credentials were ever used');
    } finally {
      child.kill();
      await server.close();
    }
  });
});

describe('keytray exec --server', () => {
  let sb: Sandbox;
  let alice: string, admin: string;
  let device: { serial: string; unusedCode(): string };
  let aliceSecret: string;

  before(async () => {
    sb = await createSandbox();
    alice = sb.name('alice');
    admin = sb.name('admin');
    const user = sb.emu.createUser(alice);
    aliceSecret = user.secretAccessKey;
    device = sb.emu.enableMfa(alice);
    const role = sb.emu.createRole({ name: 'Admin', trustedPrincipals: [user.arn], requireMfa: true }).arn;
    sb.writeConfig(`[profile ${alice}]\nmfa_serial = ${device.serial}\n\n[profile ${admin}]\nrole_arn = ${role}\nsource_profile = ${alice}\nregion = eu-west-1\n`);
    const add = await sb.keytray(['add', alice, '--env'], { env: { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
  });

  after(async () => {
    await sb.keytray(['remove', alice, '--yes']);
    await sb.close();
  });

  test('the child gets the endpoint and its token, and no keys or profile that would win over them', async () => {
    const script = 'const e = process.env; console.log(JSON.stringify(Object.fromEntries(Object.entries(e).filter(([k]) => k.startsWith("AWS_") || k === "KEYTRAY_PROFILE"))))';
    const r = await sb.keytray(['exec', '--server', '--mfa-code', device.unusedCode(), admin, '--', process.execPath, '-e', script], {
      env: { AWS_PROFILE: 'stale', AWS_ACCESS_KEY_ID: 'AKIASTALESTALESTALE1', AWS_SECRET_ACCESS_KEY: 'stale', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/x' },
    });
    assert.equal(r.code, 0, r.stderr);
    const env = JSON.parse(r.stdout) as Record<string, string>;
    assert.match(env.AWS_CONTAINER_CREDENTIALS_FULL_URI, /^http:\/\/127\.0\.0\.1:\d+\/keytray\/credentials$/);
    assert.ok(env.AWS_CONTAINER_AUTHORIZATION_TOKEN.length >= 43);
    assert.equal(env.AWS_REGION, 'eu-west-1');
    assert.equal(env.KEYTRAY_PROFILE, admin);
    for (const gone of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) {
      assert.equal(env[gone], undefined, gone);
    }
    assert.ok(!r.stdout.includes(aliceSecret));
  });

  test('the AWS CLI works through it', { skip: awsCliAvailable() ? false : '/usr/bin/aws is not installed' }, async () => {
    const r = await sb.keytray(['exec', '--server', admin, '--', '/usr/bin/aws', 'sts', 'get-caller-identity', '--endpoint-url', sb.emu.url, '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).Arn, /:assumed-role\/Admin\//);
  });

  test('--active serves the tray\'s active profile, with or without --server', async () => {
    writeActiveProfile(sb.dataDir, admin);
    try {
      for (const server of [['--server'], []]) {
        const r = await sb.keytray(['exec', ...server, '--active', '--', process.execPath, '-e', 'process.stdout.write(process.env.KEYTRAY_PROFILE)']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, admin);
      }
    } finally {
      writeActiveProfile(sb.dataDir, null);
    }
  });

  test('a command that fails passes its exit status through', async () => {
    const r = await sb.keytray(['exec', '--server', admin, '--', process.execPath, '-e', 'process.exit(7)']);
    assert.equal(r.code, 7, r.stderr);
  });

  test('env --server with no agent running says how to start one', async () => {
    const r = await sb.keytray(['env', '--server', admin]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr.trim(), /^keytray: No Keytray agent is running to host the credentials endpoint.*keytray agent/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});

describe('endpoint exports and per-profile endpoints', () => {
  const endpoint = { url: 'http://127.0.0.1:4567/keytray/credentials', token: 'AbC-123_xyz' };

  test('each shell format sets the two variables and unsets what would win over them', () => {
    const sh = formatEndpointExport(endpoint, 'eu-west-1', 'sh');
    assert.match(sh, /^unset AWS_ACCESS_KEY_ID$/m);
    assert.match(sh, /^unset AWS_PROFILE$/m);
    assert.match(sh, /^unset AWS_CONTAINER_CREDENTIALS_RELATIVE_URI$/m);
    assert.match(sh, /^export AWS_CONTAINER_CREDENTIALS_FULL_URI='http:\/\/127\.0\.0\.1:4567\/keytray\/credentials'$/m);
    assert.match(sh, /^export AWS_CONTAINER_AUTHORIZATION_TOKEN='AbC-123_xyz'$/m);
    assert.match(sh, /^export AWS_REGION='eu-west-1'$/m);
    assert.match(formatEndpointExport(endpoint, undefined, 'fish'), /^set -gx AWS_CONTAINER_AUTHORIZATION_TOKEN 'AbC-123_xyz'$/m);
    assert.match(formatEndpointExport(endpoint, undefined, 'powershell'), /^\$Env:AWS_CONTAINER_AUTHORIZATION_TOKEN = 'AbC-123_xyz'$/m);
    assert.match(formatEndpointExport(endpoint, undefined, 'cmd'), /^set AWS_SESSION_TOKEN=$/m);
    assert.equal(formatEndpointExport(endpoint, undefined, 'dotenv'), `AWS_CONTAINER_CREDENTIALS_FULL_URI=${endpoint.url}\nAWS_CONTAINER_AUTHORIZATION_TOKEN=AbC-123_xyz\n`);
    assert.deepEqual(JSON.parse(formatEndpointExport(endpoint, undefined, 'json')), {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'AbC-123_xyz',
    });
    assert.throws(() => formatEndpointExport({ ...endpoint, token: "a'b" }, undefined, 'sh'), /unexpected characters/);
  });

  test('a child environment keeps everything else', () => {
    const env = environmentForEndpoint({ PATH: '/bin', AWS_PROFILE: 'x', AWS_SESSION_TOKEN: 't', AWS_CONFIG_FILE: '/c' }, endpoint);
    assert.deepEqual(env, { PATH: '/bin', AWS_CONFIG_FILE: '/c', AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: endpoint.token });
  });

  test('a host keeps one endpoint per profile; a token for one profile fetches nothing from another', async () => {
    const endpoints = new ProfileEndpoints();
    const credentialsOf = (profile: string) => async () => ({ accessKeyId: `ASIA${profile.toUpperCase()}`, secretAccessKey: 's', sessionToken: 't', expiration: Date.now() + 3_600_000 });
    try {
      const a1 = await endpoints.endpointFor('a', credentialsOf('a'));
      const a2 = await endpoints.endpointFor('a', credentialsOf('a'));
      const b = await endpoints.endpointFor('b', credentialsOf('b'));
      assert.deepEqual(a1, a2);
      assert.notEqual(a1.url, b.url);
      assert.notEqual(a1.token, b.token);
      const port = (u: string) => Number(new URL(u).port);
      const asServer = (e: { url: string; token: string }) => ({ port: port(e.url), token: e.token }) as RunningCredentialsServer;
      const crossed = await get({ ...asServer(b), token: b.token }, { Host: `127.0.0.1:${port(b.url)}`, Authorization: a1.token });
      assert.equal(crossed.status, 403);
      const own = await get(asServer(b), { Host: `127.0.0.1:${port(b.url)}`, Authorization: b.token });
      assert.equal(JSON.parse(own.body).AccessKeyId, 'ASIAB');
      await endpoints.stop('a');
      assert.deepEqual(endpoints.profiles(), ['b']);
      await assert.rejects(get(asServer(a1), { Host: `127.0.0.1:${port(a1.url)}`, Authorization: a1.token }), /ECONNREFUSED/);
    } finally {
      await endpoints.stopAll();
    }
  });
});
