import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { AWS_CLI, createSandbox, filesUnder, KEYTRAY_BIN, parseCredentialDocument, REPO, runProcess, SYSTEM_PYTHON, type Sandbox } from './harness';
import { escapeRegExp, signedInUser, useStandInBrowser } from './loginSandbox';

/**
 * A login profile served like every other one: to the real AWS CLI, boto3 and the JS SDK through
 * credential_process, to env/exec/the agent, and as the source_profile of a role; refreshed
 * without the browser, once for any number of callers; and every way a refresh can fail read as
 * the one line the user gets.
 */

let sb: Sandbox;

before(async () => {
  sb = await createSandbox();
  useStandInBrowser(sb);
});
after(() => sb.close());

/** Signs a new user in to a new profile; `expiresIn` makes the first credentials short. */
async function loggedIn(base: string, opts: { expiresIn?: number; keepExpiresIn?: boolean } = {}): Promise<{ profile: string; arn: string }> {
  const { profile, user } = signedInUser(sb, base);
  sb.emu.signin.setExpiresIn(opts.expiresIn ?? 900);
  const r = await sb.keytray(['login', profile]);
  if (!opts.keepExpiresIn) sb.emu.signin.setExpiresIn(900);
  assert.equal(r.code, 0, r.stderr);
  return { profile, arn: user.arn };
}

const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1) ?? '';

test('after keytray login the AWS CLI, boto3 and the JS SDK get the user through credential_process', async () => {
  sb.writeConfig('');
  const { profile, arn } = await loggedIn('web');

  const cli = await sb.aws(['sts', 'get-caller-identity', '--profile', profile, '--query', 'Arn', '--output', 'text']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout.trim(), arn);

  if (fs.existsSync(SYSTEM_PYTHON)) {
    const py = `import boto3,sys\ns=boto3.Session(profile_name=sys.argv[1])\nprint(s.client('sts', endpoint_url=sys.argv[2], region_name='us-east-1').get_caller_identity()['Arn'])`;
    const r = await sb.run(SYSTEM_PYTHON, ['-c', py, profile, sb.emu.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), arn);
  }

  const js = `
    const { fromIni } = require('@aws-sdk/credential-providers');
    const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
    new STSClient({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL, credentials: fromIni({ profile: process.argv[1] }) })
      .send(new GetCallerIdentityCommand({})).then((r) => console.log(r.Arn), (e) => { console.error(e.message); process.exit(1); });`;
  const node = await runProcess(process.execPath, ['-e', js, profile], { ...sb.env, NODE_PATH: `${REPO}/node_modules` });
  assert.equal(node.code, 0, node.stderr);
  assert.equal(node.stdout.trim(), arn);

  const env = await sb.keytray(['env', profile]);
  assert.match(env.stdout, /^export AWS_SESSION_TOKEN='/m);
  const exec = await sb.keytray(['exec', profile, '--', AWS_CLI, 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text', '--endpoint-url', sb.emu.url]);
  assert.equal(exec.stdout.trim(), arn, exec.stderr);
  const server = await sb.keytray(['exec', '--server', profile, '--', AWS_CLI, 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text', '--endpoint-url', sb.emu.url]);
  assert.equal(server.stdout.trim(), arn, server.stderr);
  assert.equal(sb.emu.count('Authorize'), 1, 'one sign-in in the browser for all of it');
});

test('a role whose source_profile is the login profile is assumed from its credentials', async () => {
  sb.writeConfig('');
  const { profile, arn } = await loggedIn('src');
  const role = sb.name('webadmin');
  const roleArn = sb.emu.createRole({ name: role, trustedPrincipals: [arn] }).arn;
  fs.appendFileSync(sb.configFile, `\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${profile}\n`);
  assert.equal((await sb.keytray(['setup', role])).code, 0);
  const r = await sb.aws(['sts', 'get-caller-identity', '--profile', role, '--query', 'Arn', '--output', 'text']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.trim(), new RegExp(`:assumed-role/${escapeRegExp(role)}/`));
});

test('login credentials AWS revokes early are refreshed once, and the role is assumed from the new ones', async () => {
  sb.writeConfig('');
  const { profile, arn } = await loggedIn('revoked');
  const role = sb.name('revadmin');
  const roleArn = sb.emu.createRole({ name: role, trustedPrincipals: [arn] }).arn;
  fs.appendFileSync(sb.configFile, `\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${profile}\n`);
  const refreshes = sb.emu.count('CreateOAuth2Token', true);
  sb.emu.endSessions({ userName: profile }, 'revoke');
  const r = await sb.keytray(['credential-process', role]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(await sb.identityOf(parseCredentialDocument(r.stdout)), new RegExp(`:assumed-role/${escapeRegExp(role)}/`));
  assert.equal(sb.emu.count('CreateOAuth2Token', true) - refreshes, 1, 'one refresh replaced the refused credentials');
});

test('credentials refresh without the browser, and 8 parallel callers after expiry cause one refresh', async () => {
  sb.writeConfig('');
  // Four minutes left: under the 5-minute margin, so the next caller must refresh.
  const { profile, arn } = await loggedIn('par', { expiresIn: 240 });
  const authorizeBefore = sb.emu.count('Authorize');
  const refreshesBefore = sb.emu.count('CreateOAuth2Token', true);
  const runs = await Promise.all(Array.from({ length: 8 }, () => sb.keytray(['credential-process', profile])));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const keys = new Set(runs.map((r) => parseCredentialDocument(r.stdout).AccessKeyId));
  assert.equal(keys.size, 1, 'all eight got the same refreshed credentials');
  assert.equal(sb.emu.count('CreateOAuth2Token', true) - refreshesBefore, 1, 'one refresh');
  assert.equal(sb.emu.count('Authorize'), authorizeBefore, 'no browser');
  assert.equal(await sb.identityOf(parseCredentialDocument(runs[0].stdout)), arn);
});

test('each refresh keeps the rotated refresh token (AWS ends a session whose old token comes back)', async () => {
  sb.writeConfig('');
  const { profile, arn } = await loggedIn('rotate', { expiresIn: 240, keepExpiresIn: true });
  try {
    const first = await sb.keytray(['credential-process', profile]);
    const second = await sb.keytray(['credential-process', profile]);
    assert.equal(second.code, 0, second.stderr);
    assert.notEqual(parseCredentialDocument(first.stdout).AccessKeyId, parseCredentialDocument(second.stdout).AccessKeyId);
    assert.equal(await sb.identityOf(parseCredentialDocument(second.stdout)), arn);
    assert.equal(sb.emu.calls.filter((c) => c.action === 'CreateOAuth2Token' && c.reason === 'refresh-replayed').length, 0);
  } finally {
    sb.emu.signin.setExpiresIn(900);
  }
});

test('the agent serves a login profile, and a refresh through it works', async () => {
  sb.writeConfig('');
  const { profile, arn } = await loggedIn('agent', { expiresIn: 240 });
  const agent = spawn(process.execPath, [KEYTRAY_BIN, 'agent'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  try {
    await listening(agent);
    // A client that only an agent can serve: its session bus leads nowhere.
    const r = await sb.keytray(['credential-process', profile], { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/keytray-test-bus' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sb.identityOf(parseCredentialDocument(r.stdout)), arn);
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => (agent.exitCode !== null ? resolve(null) : agent.once('exit', resolve)));
  }
});

function listening(agent: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the agent did not start: ${out}`)), 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/listening on/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    agent.stdout!.on('data', onData);
    agent.stderr!.on('data', onData);
    agent.once('exit', () => reject(new Error(`the agent exited: ${out}`)));
  });
}

test('the 12-hour session ending is one line that says to sign in again', async () => {
  sb.writeConfig('');
  const { profile } = await loggedIn('ended', { expiresIn: 240 });
  sb.emu.clock.advance(12 * 3600 * 1000);
  const r = await sb.keytray(['credential-process', profile]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(lastLine(r.stderr), `keytray: The 12-hour sign-in session of profile "${profile}" has ended. Run \`keytray login ${profile}\` to sign in again.`);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('a refresh at another region is one line that names the sign-in region', async () => {
  sb.writeConfig('');
  const { profile } = await loggedIn('region', { expiresIn: 240 });
  const euWest = await sb.emu.signin.listenRegion('eu-west-1');
  const r = await sb.keytray(['credential-process', profile], { env: { AWS_ENDPOINT_URL_SIGNIN: euWest } });
  assert.equal(r.code, 1);
  assert.equal(
    lastLine(r.stderr),
    `keytray: AWS Sign-In at ${euWest} does not know the session of profile "${profile}", which was signed in to us-east-1. A session refreshes only in the region it was signed in to: point AWS_ENDPOINT_URL_SIGNIN at the us-east-1 endpoint, or run \`keytray login ${profile} --region REGION\`.`,
  );
});

test('a clock so far off that the proof is refused is one line that says to fix the clock', async () => {
  sb.writeConfig('');
  const { profile } = await loggedIn('skew', { expiresIn: 240 });
  sb.emu.signin.setClockOffset(10 * 60 * 1000);
  try {
    const r = await sb.keytray(['credential-process', profile]);
    assert.equal(r.code, 1);
    assert.match(lastLine(r.stderr), new RegExp(`^keytray: AWS Sign-In refused the proof of profile "${profile}": this computer's clock is 10 min behind AWS's\\. Turn on time sync`));
  } finally {
    sb.emu.signin.setClockOffset(0);
  }
});

test('a sign-in endpoint that never answers: still-valid credentials are served within 30 s', async () => {
  sb.writeConfig('');
  const { profile, arn } = await loggedIn('silent', { expiresIn: 240 });
  sb.emu.inject({ kind: 'latency', action: 'CreateOAuth2Token', latencyMs: 60_000 });
  try {
    const started = Date.now();
    const r = await sb.keytray(['credential-process', profile]);
    assert.ok(Date.now() - started < 30_000, 'ends within 30 s');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sb.identityOf(parseCredentialDocument(r.stdout)), arn);
    // Warnings go to a terminal only: under the AWS CLI a helper's stderr reads as an error.
    assert.equal(r.stderr, '');
  } finally {
    sb.emu.clearFaults();
  }
});

test('a profile that is not signed in says how to sign in', async () => {
  const profile = sb.name('never-signed');
  sb.writeConfig(`[profile ${profile}]\nlogin_session = arn:aws:iam::111111111111:user/nobody\n`);
  const r = await sb.keytray(['credential-process', profile]);
  assert.equal(r.code, 1);
  assert.equal(lastLine(r.stderr), `keytray: Profile "${profile}" is not signed in with AWS Sign-In. Run \`keytray login ${profile}\`.`);
});

test('after all of it no token, credential or private key is in any plaintext file', () => {
  // The sandbox checks every secret the emulator issued (credentials, refresh tokens, codes) on close.
  for (const file of filesUnder(sb.home)) {
    const text = fs.readFileSync(file, 'latin1');
    assert.doesNotMatch(text, /PRIVATE KEY|aws_sr_/, path.relative(sb.home, file));
  }
  assert.equal(fs.existsSync(path.join(sb.home, '.aws', 'login')), false);
});
