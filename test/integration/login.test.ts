import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createSandbox, KEYTRAY_BIN, type Sandbox } from './harness';
import { escapeRegExp, signedInUser as signIn, useStandInBrowser } from './loginSandbox';

/**
 * `keytray login` / `keytray logout` end to end: the built CLI, the real keychain, the strict
 * Sign-In emulator, and a stand-in browser (through BROWSER) whose person the emulator plays.
 */

let sb: Sandbox;
let browserLog: string;

before(async () => {
  sb = await createSandbox();
  browserLog = useStandInBrowser(sb);
});
after(() => sb.close());

const signedInUser = (base: string) => signIn(sb, base);

test('keytray login signs in through the browser and rewrites an aws login profile as Keytray serves it', async () => {
  const { profile, user } = signedInUser('web');
  const original = `# written by aws login\n[profile ${profile}]\nlogin_session = ${user.arn}\nregion = eu-west-1\n\n[profile other]\nregion = us-west-2 # untouched\n`;
  sb.writeConfig(original);
  const r = await sb.keytray(['login', profile]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Signed in to profile "${profile}" as ${escapeRegExp(user.arn)} \\(eu-west-1\\)`));
  assert.match(r.stderr, /Sign in to AWS in your browser/);

  const config = fs.readFileSync(sb.configFile, 'utf8');
  assert.match(config, new RegExp(`^keytray_login_session = ${user.arn}$`, 'm'));
  assert.doesNotMatch(config, /^login_session/m, 'no plain login_session beside credential_process');
  assert.match(config, new RegExp(`^credential_process = .*keytray.* credential-process ${profile}$`, 'm'));
  assert.ok(config.startsWith(`# written by aws login\n[profile ${profile}]\n`));
  assert.ok(config.endsWith(`[profile other]\nregion = us-west-2 # untouched\n`));
  // The region the person signed in to is where the session lives.
  const authorize = new URL(fs.readFileSync(browserLog, 'utf8').trim().split('\n').at(-1)!);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'SHA-256');
  assert.equal(fs.existsSync(path.join(sb.home, '.aws', 'login')), false, 'nothing in ~/.aws/login/cache');

  const list = await sb.keytray(['list']);
  assert.match(list.stdout, new RegExp(`^${profile}\\s+login\\s+signed in\\s+-\\s+1[45]m \\(sign-in ends in 11h5\\dm\\)$`, 'm'));
});

test('a new profile is added with the region it signed in to', async () => {
  const { profile, user } = signedInUser('fresh');
  sb.writeConfig('');
  const r = await sb.keytray(['login', profile, '--region', 'ap-southeast-2']);
  assert.equal(r.code, 0, r.stderr);
  const config = fs.readFileSync(sb.configFile, 'utf8');
  assert.match(config, new RegExp(`\\[profile ${profile}\\]\\nkeytray_login_session = ${escapeRegExp(user.arn)}\\nregion = ap-southeast-2\\ncredential_process = `));
});

test('a browser that denies the sign-in ends keytray login with one line', async () => {
  const profile = sb.name('denied');
  sb.writeConfig('');
  sb.emu.signin.browserDenies();
  const r = await sb.keytray(['login', profile]);
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines.at(-1)!, new RegExp(`^keytray: The sign-in for profile "${profile}" was refused in the browser \\(access_denied\\)\\. Run \`keytray login ${profile}\` again and allow the access\\.$`));
  assert.equal(fs.readFileSync(sb.configFile, 'utf8'), '', 'nothing written after a failure');
});

test('a browser that never comes back times out with one line', async () => {
  const profile = sb.name('never');
  sb.writeConfig('');
  sb.emu.signin.browserNeverReturns();
  const started = Date.now();
  const r = await sb.keytray(['login', profile, '--timeout', '2']);
  assert.equal(r.code, 1);
  assert.ok(Date.now() - started < 10_000);
  assert.match(r.stderr.trim().split('\n').at(-1)!, new RegExp(`^keytray: The browser did not finish signing in profile "${profile}" within 2 s\\. Run \`keytray login ${profile}\` again, or with --remote`));
});

/** Runs `keytray login --remote`, plays the person on another device, and pastes what `paste` makes of the page's code. */
function remoteLogin(profile: string, paste: (code: string) => string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KEYTRAY_BIN, 'login', profile, '--remote', '--timeout', '20'], { env: sb.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let pasted = false;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', async (d) => {
      stderr += d;
      const url = /^(http\S+\/v1\/authorize\?\S+)$/m.exec(stderr)?.[1];
      if (!url || pasted || !/Paste the code/.test(stderr)) return;
      pasted = true;
      const page = await (await fetch(url)).text();
      const code = /<code id="verification-code">([^<]+)<\/code>/.exec(page)?.[1] ?? '';
      child.stdin.end(`${paste(code)}\n`);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('keytray login --remote shows the URL and takes the code pasted from the other device', async () => {
  const { profile, user } = signedInUser('remote');
  sb.writeConfig('');
  const r = await remoteLogin(profile, (code) => code);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Open this URL on any device/);
  assert.match(r.stdout, new RegExp(`Signed in to profile "${profile}" as ${escapeRegExp(user.arn)}`));
});

test('a pasted code that does not belong to this sign-in is refused with one line', async () => {
  const { profile } = signedInUser('mismatch');
  sb.writeConfig('');
  const r = await remoteLogin(profile, (code) => {
    const fields = new URLSearchParams(Buffer.from(code, 'base64').toString('utf8'));
    fields.set('state', 'someone-elses-sign-in');
    return Buffer.from(fields.toString()).toString('base64');
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr.trim().split('\n').at(-1)!, new RegExp(`^keytray: The pasted code does not belong to this sign-in of profile "${profile}"\\. Run \`keytray login ${profile} --remote\` again`));
  assert.equal(sb.emu.count('CreateOAuth2Token'), sb.emu.count('CreateOAuth2Token', true), 'the mismatched code was never sent');
});

test('a role profile is refused before the browser opens', async () => {
  const profile = sb.name('arole');
  sb.writeConfig(`[profile ${profile}]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = y\n`);
  const before = sb.emu.count('Authorize');
  const r = await sb.keytray(['login', profile]);
  assert.equal(r.code, 1);
  assert.match(r.stderr.trim(), new RegExp(`^keytray: Profile "${profile}" in .* \\(line 2\\) has role_arn, so it is not a sign-in profile\\. Sign in with a profile of its own`));
  assert.equal(sb.emu.count('Authorize'), before, 'no browser');
});

test('keytray logout forgets the session', async () => {
  const { profile } = signedInUser('bye');
  sb.writeConfig('');
  assert.equal((await sb.keytray(['login', profile])).code, 0);
  const r = await sb.keytray(['logout', profile]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Signed out profile "${profile}": its sign-in key, refresh token and credentials are gone from the keychain`));
  const again = await sb.keytray(['logout', profile]);
  assert.match(again.stdout, /was not signed in; nothing to forget/);
});
