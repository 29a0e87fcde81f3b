import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { awsCliAvailable, browserStandIn, createSandbox, KEYTRAY_ARGV, KEYTRAY_BIN, pendingUserCode, REPO, runProcess, SYSTEM_PYTHON, type RunResult, type Sandbox } from './harness';

/**
 * IAM Identity Center end to end: the built CLI against the strict emulator, the real keychain, and
 * the real AWS CLI, boto3 and JS SDK as clients of credential_process. "The person at the browser"
 * is a BROWSER script that opens the page it is given (following the redirect back to Keytray's
 * loopback listener); what that person does (approve, deny, walk away) is set on the emulator.
 */
describe('IAM Identity Center (SSO)', { timeout: 420_000, skip: !awsCliAvailable() && 'no /usr/bin/aws' }, () => {
  let sb: Sandbox;
  let browserEnv: NodeJS.ProcessEnv;
  let opened: () => number;
  let lastOpened: () => string;
  const DEV = '210987654321';
  const PROD = '333333333333';
  let devAdmin: string, prodRead: string, deploy: string, unassigned: string;
  let baseConfig: string;

  /** Neither a browser nor a display: serving commands must say how to sign in instead. */
  const noBrowser: NodeJS.ProcessEnv = { BROWSER: '' };
  const callerArn = (r: RunResult) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).Arn as string;
  };
  const reserved = (account: string, role: string) => sb.emu.sso.roleArn(account, role).split('/')[1];

  before(async () => {
    sb = await createSandbox();
    const browser = browserStandIn(sb.home);
    browserEnv = browser.env;
    opened = () => browser.opened().length;
    lastOpened = () => browser.opened().pop()!;
    sb.env.BROWSER = browserEnv.BROWSER;

    sb.emu.sso.createUser('dana');
    sb.emu.sso.assign('dana', { accountId: DEV, accountName: 'dev', roleName: 'Admin' });
    sb.emu.sso.assign('dana', { accountId: PROD, accountName: 'prod', roleName: 'ReadOnly' });
    const deployArn = sb.emu.createRole({ name: 'Deploy', account: DEV, trustedPrincipals: [sb.emu.sso.roleArn(DEV, 'Admin')] }).arn;

    devAdmin = sb.name('dev-admin');
    prodRead = sb.name('prod-read');
    deploy = sb.name('deploy');
    unassigned = sb.name('billing');
    baseConfig =
      `# SSO, as \`aws configure sso\` writes it\n[sso-session corp]\nsso_start_url = ${sb.emu.sso.startUrl}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n` +
      `[profile ${devAdmin}]\nsso_session = corp\nsso_account_id = ${DEV}\nsso_role_name = Admin\nregion = eu-west-1\n\n` +
      `[profile ${prodRead}]\nsso_session = corp\nsso_account_id = ${PROD}\nsso_role_name = ReadOnly\n\n` +
      `[profile ${deploy}]\nrole_arn = ${deployArn}\nsource_profile = ${devAdmin}\n\n` +
      `[profile ${unassigned}]\nsso_session = corp\nsso_account_id = ${DEV}\nsso_role_name = Billing\n`;
    sb.writeConfig(baseConfig);
  });

  after(async () => {
    await sb.keytray(['sso', 'logout']);
    await sb.keytray(['clear']);
    // No token, client secret or role credential may be left in any file under HOME; that
    // includes ~/.aws/sso/cache, where the AWS CLI would have kept them.
    assert.equal(fs.existsSync(path.join(sb.home, '.aws', 'sso')), false, 'nothing under ~/.aws/sso');
    await sb.close();
  });

  test('setup renames the sso_* keys with the keytray_ prefix, and undo restores every byte', async () => {
    for (const p of [devAdmin, prodRead, deploy]) {
      const r = await sb.keytray(['setup', p]);
      assert.equal(r.code, 0, r.stderr);
    }
    const text = fs.readFileSync(sb.configFile, 'utf8');
    assert.match(text, new RegExp(`\\[profile ${devAdmin}\\]\\nkeytray_sso_session = corp\\nkeytray_sso_account_id = ${DEV}\\nkeytray_sso_role_name = Admin\\nregion = eu-west-1\\ncredential_process = .* credential-process ${devAdmin}\\n`));
    assert.match(text, /\[sso-session corp\]\nsso_start_url = /, 'the sso-session section stays as it is');
    const undo = await sb.keytray(['setup', '--undo', unassigned]);
    assert.equal(undo.code, 0, undo.stderr);
    await sb.keytray(['setup', unassigned]);
    await sb.keytray(['setup', '--undo', unassigned]);
    assert.ok(fs.readFileSync(sb.configFile, 'utf8').endsWith(`[profile ${unassigned}]\nsso_session = corp\nsso_account_id = ${DEV}\nsso_role_name = Billing\n`));
  });

  test('keytray sso login signs in with PKCE in the browser: one page, one RegisterClient, one CreateToken', async () => {
    sb.emu.resetCalls();
    const r = await sb.keytray(['sso', 'login', 'corp']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Signed in to IAM Identity Center "corp" for 59m; Keytray renews it by itself\.\n$/);
    assert.match(r.stderr, /opening the IAM Identity Center sign-in page for "corp" in your browser/);
    const page = new URL(lastOpened());
    assert.equal(page.pathname, '/authorize');
    assert.equal(page.searchParams.get('code_challenge_method'), 'S256');
    assert.match(page.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    assert.ok(page.searchParams.get('state'));
    assert.equal(sb.emu.count('RegisterClient', true), 1);
    assert.equal(sb.emu.count('CreateToken', true), 1);
  });

  test('the AWS CLI gets the role credentials through credential_process, and a role assumed from them', async () => {
    sb.emu.resetCalls();
    assert.equal(callerArn(await sb.aws(['sts', 'get-caller-identity', '--profile', devAdmin, '--output', 'json'])), `arn:aws:sts::${DEV}:assumed-role/${reserved(DEV, 'Admin')}/dana`);
    assert.equal(callerArn(await sb.aws(['sts', 'get-caller-identity', '--profile', deploy, '--output', 'json'])).split('/')[1], 'Deploy');
    assert.equal(sb.emu.count('GetRoleCredentials', true), 1, 'the role profile reused the SSO profile cached credentials');
    assert.equal(sb.emu.count('CreateToken'), 0, 'the token from the sign-in was used');
  });

  test('boto3 and the JS SDK (fromProcess, fromIni) get the same credentials', { skip: !fs.existsSync(SYSTEM_PYTHON) && 'no /usr/bin/python3' }, async () => {
    const py = `import boto3,sys\ns=boto3.Session(profile_name=sys.argv[1])\nprint(s.client('sts', endpoint_url=sys.argv[2], region_name='eu-west-1').get_caller_identity()['Arn'])`;
    for (const p of [devAdmin, deploy]) {
      const r = await sb.run(SYSTEM_PYTHON, ['-c', py, p, sb.emu.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, p === deploy ? /:assumed-role\/Deploy\// : /:assumed-role\/AWSReservedSSO_Admin_/);
    }
    const script = `
      const { fromProcess, fromIni } = require('@aws-sdk/credential-providers');
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      (async () => {
        for (const profile of process.argv.slice(1)) for (const provider of [fromProcess({ profile }), fromIni({ profile })]) {
          const sts = new STSClient({ region: 'eu-west-1', endpoint: process.env.AWS_ENDPOINT_URL, credentials: provider });
          console.log((await sts.send(new GetCallerIdentityCommand({}))).Arn);
        }
      })().catch((e) => { console.error(e.message); process.exit(1); });`;
    const r = await runProcess(process.execPath, ['-e', script, devAdmin, deploy], { ...sb.env, NODE_PATH: `${REPO}/node_modules` });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split('/')[1]), [reserved(DEV, 'Admin'), reserved(DEV, 'Admin'), 'Deploy', 'Deploy']);
  });

  test('env and exec serve an SSO profile too', async () => {
    const env = await sb.keytray(['env', devAdmin]);
    assert.equal(env.code, 0, env.stderr);
    assert.match(env.stdout, /^export AWS_ACCESS_KEY_ID='ASIA/m);
    assert.match(env.stdout, /^export AWS_REGION='eu-west-1'$/m);
    const exec = await sb.keytray(['exec', prodRead, '--', '/usr/bin/aws', 'sts', 'get-caller-identity', '--output', 'json', '--endpoint-url', sb.emu.url]);
    assert.equal(callerArn(exec).split('/')[1], reserved(PROD, 'ReadOnly'));
  });

  test('16 parallel aws calls on a cold cache: one browser page, one CreateToken, one GetRoleCredentials per role', async () => {
    await sb.keytray(['sso', 'logout', 'corp']);
    await sb.keytray(['clear']);
    sb.emu.resetCalls();
    const pagesBefore = sb.emu.sso.pagesOpened().authorize;
    const openedBefore = opened();
    const profiles = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? devAdmin : prodRead));
    const results = await Promise.all(profiles.map((p) => sb.aws(['sts', 'get-caller-identity', '--profile', p, '--output', 'json'])));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assert.equal(sb.emu.count('GetCallerIdentity', true), 16);
    assert.equal(opened() - openedBefore, 1, 'one browser opening');
    assert.equal(sb.emu.sso.pagesOpened().authorize - pagesBefore, 1);
    assert.equal(sb.emu.count('CreateToken'), 1, 'one CreateToken');
    assert.equal(sb.emu.calls.filter((c) => c.action === 'GetRoleCredentials').length, 2, 'one GetRoleCredentials per role');
  });

  test('through `keytray agent`: 16 parallel calls share one sign-in, and exec --server and console serve the role', async () => {
    for (const p of [devAdmin, prodRead]) assert.equal((await sb.keytray(['setup', p])).code, 0);
    await sb.keytray(['sso', 'logout', 'corp']);
    await sb.keytray(['clear']);
    sb.emu.resetCalls();
    const pagesBefore = sb.emu.sso.pagesOpened().authorize;
    // A session bus that leads nowhere: only the agent can serve these clients.
    const agentOnly = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/keytray-test-bus' };
    const agent = spawn(process.execPath, [KEYTRAY_BIN, 'agent'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    agent.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
    agent.stderr!.setEncoding('utf8').on('data', (d) => (out += d));
    try {
      for (const until = Date.now() + 15_000; !/listening on/.test(out); await new Promise((r) => setTimeout(r, 25))) {
        if (Date.now() > until || agent.exitCode !== null) throw new Error(`the agent did not start: ${out}`);
      }
      const profiles = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? devAdmin : prodRead));
      const results = await Promise.all(profiles.map((p) => sb.aws(['sts', 'get-caller-identity', '--profile', p, '--output', 'json'], { env: agentOnly })));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      assert.equal(sb.emu.sso.pagesOpened().authorize - pagesBefore, 1, 'one browser opening');
      assert.equal(sb.emu.count('CreateToken'), 1);
      assert.equal(sb.emu.calls.filter((c) => c.action === 'GetRoleCredentials').length, 2);

      const exec = await sb.keytray(['exec', '--server', devAdmin, '--', '/usr/bin/aws', 'sts', 'get-caller-identity', '--output', 'json', '--endpoint-url', sb.emu.url]);
      assert.equal(callerArn(exec).split('/')[1], reserved(DEV, 'Admin'));
    } finally {
      agent.kill('SIGTERM');
      await new Promise((r) => (agent.exitCode !== null ? r(null) : agent.once('exit', r)));
    }
    const printed = await sb.keytray(['console', devAdmin, '--print']);
    assert.equal(printed.code, 0, printed.stderr);
    const token = new URL(printed.stdout.trim()).searchParams.get('SigninToken')!;
    assert.equal(sb.emu.verifySigninToken(token)?.arn, `arn:aws:sts::${DEV}:assumed-role/${reserved(DEV, 'Admin')}/dana`);
  });

  test('an access token close to its end is refreshed, and the rotated refresh token replaces the old one', async () => {
    // Tokens of 10 minutes are inside the 15-minute refresh window from the start: every use refreshes.
    sb.emu.sso.configure({ accessTokenSeconds: 600 });
    assert.equal((await sb.keytray(['sso', 'login', 'corp'])).code, 0);
    sb.emu.resetCalls();
    for (let i = 0; i < 2; i++) {
      await sb.keytray(['clear', devAdmin]);
      const r = await sb.keytray(['credential-process', devAdmin], { env: noBrowser });
      assert.equal(r.code, 0, r.stderr);
    }
    const creates = sb.emu.calls.filter((c) => c.action === 'CreateToken');
    assert.deepEqual(creates.map((c) => c.ok), [true, true], 'two refreshes, the second with the rotated refresh token');
    assert.equal(sb.emu.count('GetRoleCredentials', true), 2);
    sb.emu.sso.configure({ accessTokenSeconds: 3600 });
  });

  test('a revoked refresh token ends the session with the line that says how to sign in again', async () => {
    sb.emu.sso.revokeRefreshTokens();
    sb.emu.sso.expire('access');
    await sb.keytray(['clear', devAdmin]);
    const r = await sb.keytray(['credential-process', devAdmin], { env: noBrowser });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `keytray: The IAM Identity Center session "corp" has ended (profile "${devAdmin}"). Run \`keytray sso login corp\`.\n`);
  });

  test('an expired refresh token reads the same, after a refresh was tried', async () => {
    sb.emu.sso.configure({ accessTokenSeconds: 600 });
    assert.equal((await sb.keytray(['sso', 'login', 'corp'])).code, 0);
    sb.emu.sso.expire('refresh');
    sb.emu.sso.expire('access');
    await sb.keytray(['clear', devAdmin]);
    sb.emu.resetCalls();
    const r = await sb.keytray(['credential-process', devAdmin], { env: noBrowser });
    assert.equal(r.stderr, `keytray: The IAM Identity Center session "corp" has expired (profile "${devAdmin}"). Run \`keytray sso login corp\`.\n`);
    assert.equal(r.code, 1);
    assert.equal(sb.emu.calls.find((c) => c.action === 'CreateToken')?.errorCode, 'ExpiredTokenException');
    sb.emu.sso.configure({ accessTokenSeconds: 3600 });
  });

  test('a client registration about to expire, or refused as expired, is replaced by itself', async () => {
    // Registrations of 30 minutes: at the next sign-in this one has less than the hour Keytray wants.
    sb.emu.sso.configure({ clientSeconds: 1800 });
    await sb.keytray(['sso', 'logout', 'corp']);
    assert.equal((await sb.keytray(['sso', 'login', 'corp'])).code, 0);
    sb.emu.resetCalls();
    const r = await sb.keytray(['sso', 'login', 'corp']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sb.emu.count('RegisterClient', true), 1, 'registered again');
    assert.equal(sb.emu.count('CreateToken', true), 1);
    sb.emu.sso.configure({ clientSeconds: 90 * 24 * 3600 });

    // The device flow's registration, which IAM Identity Center then refuses before its time.
    const first = sb.keytray(['sso', 'login', 'corp', '--device-code'], { env: noBrowser });
    sb.emu.sso.decideDevice(await pendingUserCode(sb), 'approve');
    assert.equal((await first).code, 0);
    sb.emu.sso.expire('client');
    sb.emu.resetCalls();
    const again = sb.keytray(['sso', 'login', 'corp', '--device-code'], { env: noBrowser });
    sb.emu.sso.decideDevice(await pendingUserCode(sb), 'approve');
    const a = await again;
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(
      sb.emu.calls.filter((c) => c.action === 'StartDeviceAuthorization' || c.action === 'RegisterClient').map((c) => `${c.action} ${c.errorCode ?? 'ok'}`),
      ['StartDeviceAuthorization InvalidClientException', 'RegisterClient ok', 'StartDeviceAuthorization ok'],
    );
  });

  test('device authorization: the code is shown, the person confirms it, the token arrives', async () => {
    sb.emu.resetCalls();
    const running = sb.keytray(['sso', 'login', 'corp', '--device-code'], { env: noBrowser });
    const code = await pendingUserCode(sb);
    // The person takes a moment: Keytray polls and hears authorization_pending first.
    while (!sb.emu.calls.some((c) => c.action === 'CreateToken' && c.errorCode === 'AuthorizationPendingException')) await new Promise((r) => setTimeout(r, 50));
    sb.emu.sso.decideDevice(code, 'approve');
    const r = await running;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`to sign in to "corp", open ${sb.emu.url}/device and enter the code ${code} \\(or open ${sb.emu.url}/device\\?user_code=${code}\\)\\. Waiting up to 5 min\\.`));
    assert.match(r.stdout, /^Signed in to IAM Identity Center "corp"/);
    assert.equal(sb.emu.count('StartDeviceAuthorization', true), 1);
    assert.equal(sb.emu.count('CreateToken', true), 1);
    assert.equal(sb.emu.calls.filter((c) => c.action === 'CreateToken' && c.errorCode === 'SlowDownException').length, 0, 'never polled faster than the interval');
  });

  test('with no browser to open, login uses the device code by itself', async () => {
    sb.emu.resetCalls();
    const running = sb.keytray(['sso', 'login', 'corp'], { env: { ...noBrowser, SSH_CONNECTION: '10.0.0.1 50000 10.0.0.2 22' } });
    sb.emu.sso.decideDevice(await pendingUserCode(sb), 'approve');
    const r = await running;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sb.emu.count('StartDeviceAuthorization', true), 1);
  });

  test('denying the device request and letting the code expire each end with one line', async () => {
    const denied = sb.keytray(['sso', 'login', 'corp', '--device-code'], { env: noBrowser });
    sb.emu.sso.decideDevice(await pendingUserCode(sb), 'deny');
    const d = await denied;
    assert.equal(d.code, 1);
    assert.equal(d.stderr.split('\n').filter((l) => l.startsWith('keytray: The')).join('\n'), 'keytray: The sign-in to IAM Identity Center session "corp" was denied. Run `keytray sso login corp` again and allow the request.');

    const late = sb.keytray(['sso', 'login', 'corp', '--device-code'], { env: noBrowser });
    await pendingUserCode(sb);
    sb.emu.sso.expire('device');
    const l = await late;
    assert.equal(l.code, 1);
    assert.match(l.stderr, /\nkeytray: The device code for IAM Identity Center session "corp" expired before the sign-in was confirmed\. Run `keytray sso login corp --device-code` again and confirm the code within its time\.\n$/);
  });

  test('denying in the browser, and a browser that never comes back, each end with one line', async () => {
    sb.emu.sso.browser('deny');
    const d = await sb.keytray(['sso', 'login', 'corp']);
    assert.equal(d.code, 1);
    assert.match(d.stderr, /\nkeytray: The sign-in to IAM Identity Center was denied in the browser\. Run `keytray sso login corp` again and allow the request\.\n$/);

    sb.emu.sso.browser('ignore');
    const started = Date.now();
    const t = await sb.keytray(['sso', 'login', 'corp', '--timeout', '2']);
    assert.equal(t.code, 1);
    assert.ok(Date.now() - started < 10_000, 'a timeout, not a hang');
    assert.match(t.stderr, /\nkeytray: The browser did not come back from the IAM Identity Center sign-in within 2 s\. Run `keytray sso login corp` again and finish the sign-in in the browser, or add --device-code to sign in from another device\.\n$/);
    sb.emu.sso.browser('approve');
  });

  test('a browser that cannot be opened leaves the address on the terminal, and the sign-in waits for it to be opened by hand', async () => {
    sb.emu.resetCalls();
    const child = spawn(KEYTRAY_ARGV[0], [...KEYTRAY_ARGV.slice(1), 'sso', 'login', 'corp', '--timeout', '60'], {
      env: { ...sb.env, BROWSER: '/nonexistent/browser' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    let stdout = '';
    child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stdout!.setEncoding('utf8').on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      for (const until = Date.now() + 20_000; !/open the address above/.test(stderr); await new Promise((r) => setTimeout(r, 25))) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no address to open by hand: ${stderr}`);
      }
      assert.match(stderr, /\nkeytray: Could not open a browser \(\/nonexistent\/browser not found\); open the address above in a browser to go on\.\n$/);
      // The person copies the address into a browser of their own.
      const address = /visit:\n {2}(\S+)\n/.exec(stderr)![1];
      await (await fetch(address, { redirect: 'follow', signal: AbortSignal.timeout(20_000) })).text();
      assert.equal(await exited, 0, stderr);
      assert.match(stdout, /^Signed in to IAM Identity Center "corp" for 59m; Keytray renews it by itself\.\n$/);
      assert.equal(sb.emu.count('CreateToken', true), 1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('a role that is not assigned names the account and role', async () => {
    assert.equal((await sb.keytray(['sso', 'login', 'corp'])).code, 0);
    const r = await sb.keytray(['credential-process', unassigned]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `keytray: IAM Identity Center does not assign you the role "Billing" in account ${DEV} (profile "${unassigned}"). Ask your administrator for the assignment, or run \`keytray sso populate corp --dry-run\` to see the roles you have.\n`,
    );
  });

  test('config mistakes: an unknown sso_session, a session without region or start URL', async () => {
    const broken = sb.name('broken');
    const legacy = sb.name('legacy');
    fs.appendFileSync(
      sb.configFile,
      `\n[profile ${broken}]\nsso_session = nope\nsso_account_id = ${DEV}\nsso_role_name = Admin\n\n[sso-session half]\nsso_start_url = ${sb.emu.sso.startUrl}\n\n` +
        `[profile ${legacy}]\nsso_start_url = ${sb.emu.sso.startUrl}\nsso_account_id = ${DEV}\nsso_role_name = Admin\n`,
    );
    const unknown = await sb.keytray(['credential-process', broken]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, `keytray: Profile "${broken}" has sso_session = nope, but no [sso-session nope] section in ${sb.configFile}. Add [sso-session nope] with sso_start_url and sso_region, or fix the name; known sessions: corp, half.\n`);
    const half = await sb.keytray(['sso', 'login', 'half']);
    assert.equal(half.code, 1);
    assert.match(half.stderr, /^keytray: \[sso-session half\] in .* \(line \d+\) has no sso_region\. Add sso_start_url = https:\/\/<your-portal>\.awsapps\.com\/start and sso_region = <the region of IAM Identity Center>\.\n$/);
    const noRegion = await sb.keytray(['credential-process', legacy]);
    assert.equal(noRegion.code, 1);
    assert.match(noRegion.stderr, new RegExp(`^keytray: Profile "${legacy}" in .* \\(line \\d+\\) has no sso_session and no sso_region\\. Add sso_session = <name>`));
    sb.writeConfig(fs.readFileSync(sb.configFile, 'utf8').split(`\n[profile ${broken}]`)[0]);
  });

  test('populate writes a wired profile per assignment, changes nothing the second time, and prunes only when asked', async () => {
    // The unassigned profile would be listed as gone; this test is about the assignments.
    sb.writeConfig(fs.readFileSync(sb.configFile, 'utf8').split(`\n[profile ${unassigned}]`)[0]);
    sb.emu.sso.assign('dana', { accountId: PROD, accountName: 'prod', roleName: 'Admin' });
    const dry = await sb.keytray(['sso', 'populate', 'corp', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    const before = fs.readFileSync(sb.configFile, 'utf8');
    assert.equal(dry.stdout, `would add  team-prod-Admin  (prod ${PROD}, Admin)\n2 profiles already up to date in ${sb.configFile}.\n`.replace('team-', ''));
    const first = await sb.keytray(['sso', 'populate', 'corp', '--prefix', 'team-']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `added  team-prod-Admin  (prod ${PROD}, Admin)\n2 profiles already up to date in ${sb.configFile}.\n`);
    const after = fs.readFileSync(sb.configFile, 'utf8');
    assert.ok(after.startsWith(before), 'every byte before is kept');
    assert.match(after.slice(before.length), /^\n\[profile team-prod-Admin\]\nkeytray_sso_session = corp\nkeytray_sso_account_id = 333333333333\nkeytray_sso_role_name = Admin\ncredential_process = .* credential-process team-prod-Admin\n$/);
    const second = await sb.keytray(['sso', 'populate', 'corp', '--prefix', 'team-']);
    assert.equal(second.stdout, `No changes: 3 profiles already up to date in ${sb.configFile}.\n`);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), after);
    assert.equal(callerArn(await sb.aws(['sts', 'get-caller-identity', '--profile', 'team-prod-Admin', '--output', 'json'])).split('/')[1], reserved(PROD, 'Admin'));

    sb.emu.sso.unassign('dana', PROD, 'Admin');
    const listed = await sb.keytray(['sso', 'populate', 'corp']);
    assert.equal(listed.stdout, `gone  team-prod-Admin  (account ${PROD}, Admin is no longer assigned; --prune removes it)\n2 profiles already up to date in ${sb.configFile}.\n`);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), after, 'listed, not removed');
    const pruned = await sb.keytray(['sso', 'populate', 'corp', '--prune']);
    assert.equal(pruned.stdout, `removed  team-prod-Admin  (account ${PROD}, Admin is no longer assigned)\n2 profiles already up to date in ${sb.configFile}.\n`);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before, 'pruning gives back the file as it was');
  });

  test('list shows SSO profiles and the session sign-in time left', async () => {
    const r = await sb.keytray(['list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${devAdmin}\\s+sso\\s+-\\s+sso:corp\\s+`, 'm'));
    assert.match(r.stdout, /^IAM Identity Center: corp signed in, \d+m left$/m);
    const json = JSON.parse((await sb.keytray(['list', '--json'])).stdout);
    const row = json.find((p: { name: string }) => p.name === devAdmin);
    assert.equal(row.kind, 'sso');
    assert.equal(row.account, DEV);
    assert.equal(row.ssoSession, 'corp');
  });

  test('the legacy form signs in with --profile, and gets no refresh token', async () => {
    const legacy = sb.name('legacy-dev');
    const before = fs.readFileSync(sb.configFile, 'utf8');
    fs.appendFileSync(sb.configFile, `\n[profile ${legacy}]\nsso_start_url = ${sb.emu.sso.startUrl}\nsso_region = eu-west-1\nsso_account_id = ${DEV}\nsso_role_name = Admin\n`);
    const r = await sb.keytray(['sso', 'login', '--profile', legacy]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Signed in to IAM Identity Center ${sb.emu.sso.startUrl} for 59m; sign in again when it ends.\n`);
    const served = await sb.keytray(['credential-process', legacy]);
    assert.equal(served.code, 0, served.stderr);
    assert.equal((await sb.identityOf(JSON.parse(served.stdout))).split('/')[1], reserved(DEV, 'Admin'));
    const out = await sb.keytray(['sso', 'logout']);
    assert.ok(out.stdout.startsWith('Signed out of IAM Identity Center ') && out.stdout.includes(`${sb.emu.sso.startUrl};`), out.stdout);
    sb.writeConfig(before);
    assert.equal((await sb.keytray(['sso', 'login', 'corp'])).code, 0);
  });

  test('logout calls Logout, forgets the tokens, and serving needs a new sign-in', async () => {
    sb.emu.resetCalls();
    const r = await sb.keytray(['sso', 'logout', 'corp']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Signed out of IAM Identity Center "corp"; its tokens and role credentials are gone from the keychain.\n');
    assert.equal(sb.emu.count('Logout', true), 1);
    const served = await sb.keytray(['credential-process', devAdmin], { env: noBrowser });
    assert.equal(served.code, 1);
    assert.equal(served.stderr, `keytray: The IAM Identity Center session "corp" is not signed in (profile "${devAdmin}"). Run \`keytray sso login corp\`.\n`);
  });
});
