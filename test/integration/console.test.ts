import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSandbox, type Sandbox } from './harness';

/**
 * `keytray console --print` against the emulator's sign-in endpoint: the printed URL must hold a
 * sign-in token that the endpoint accepts, for the identity the profile stands for.
 */
describe('keytray console', () => {
  let sb: Sandbox;
  let alice: string, admin: string, bob: string;
  let device: { serial: string; unusedCode(): string };
  let roleArn: string;
  const secrets: string[] = [];

  before(async () => {
    sb = await createSandbox();
    alice = sb.name('alice');
    admin = sb.name('admin');
    bob = sb.name('bob');
    const aliceUser = sb.emu.createUser(alice);
    device = sb.emu.enableMfa(alice);
    roleArn = sb.emu.createRole({ name: 'ConsoleAdmin', trustedPrincipals: [aliceUser.arn], requireMfa: true }).arn;
    // 34 characters: GetFederationToken's Name takes 32 at most.
    const bobUser = sb.emu.createUser(`${bob}-with-a-long-name`.slice(0, 34));
    secrets.push(aliceUser.secretAccessKey, bobUser.secretAccessKey);
    sb.writeConfig(
      `[profile ${alice}]\nmfa_serial = ${device.serial}\nregion = eu-west-1\n\n` +
        `[profile ${admin}]\nrole_arn = ${roleArn}\nsource_profile = ${alice}\n\n` +
        `[profile ${bob}]\nregion = us-west-2\n`,
    );
    for (const [profile, user] of [
      [alice, aliceUser],
      [bob, bobUser],
    ] as const) {
      const add = await sb.keytray(['add', profile, '--env'], { env: { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey } });
      assert.equal(add.code, 0, add.stderr);
    }
  });

  after(async () => {
    await sb.keytray(['remove', alice, '--yes']);
    await sb.keytray(['remove', bob, '--yes']);
    await sb.close();
  });

  function signinTokenOf(stdout: string): { url: URL; token: string; destination: URL } {
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1, 'the URL alone on stdout');
    const url = new URL(lines[0]);
    assert.equal(url.origin + url.pathname, sb.emu.signinUrl);
    assert.equal(url.searchParams.get('Action'), 'login');
    return { url, token: url.searchParams.get('SigninToken')!, destination: new URL(url.searchParams.get('Destination')!) };
  }

  test('a role profile signs in as the assumed role, in the profile region', async () => {
    const r = await sb.keytray(['console', admin, '--print', '--mfa-code', device.unusedCode()]);
    assert.equal(r.code, 0, r.stderr);
    const { token, destination } = signinTokenOf(r.stdout);
    const identity = sb.emu.verifySigninToken(token);
    assert.ok(identity, 'the emulator accepts the sign-in token');
    assert.match(identity.arn, /:assumed-role\/ConsoleAdmin\//);
    assert.equal(destination.href, 'https://console.aws.amazon.com/console/home?region=eu-west-1');
    assert.ok(!r.stderr.includes(token), 'the sign-in token is not on stderr');
  });

  // Each run passes a code: other test files clear every cached session in the shared keyring
  // while they run, so whether the role session is still cached here is not up to this file.
  test('--destination and --region choose the console page', async () => {
    const r = await sb.keytray(['console', admin, '--print', '--destination', 's3/home', '--region', 'ap-south-1', '--mfa-code', device.unusedCode()]);
    assert.equal(r.code, 0, r.stderr);
    const { token, destination } = signinTokenOf(r.stdout);
    assert.ok(sb.emu.verifySigninToken(token));
    assert.equal(destination.href, 'https://console.aws.amazon.com/s3/home?region=ap-south-1');
  });

  test('a console session longer than the chained-role cap is retried at one hour', async () => {
    const r = await sb.keytray(['console', admin, '--print', '--duration', '4h', '--mfa-code', device.unusedCode()]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(sb.emu.verifySigninToken(signinTokenOf(r.stdout).token));
    const refused = sb.emu.calls.filter((c) => c.action === 'getSigninToken' && c.reason === 'session-duration-chained');
    assert.equal(refused.length, 1);
  });

  test('an IAM user without MFA signs in as a federated user named after it, cut to 32 characters', async () => {
    const r = await sb.keytray(['console', bob, '--print']);
    assert.equal(r.code, 0, r.stderr);
    const { token, destination } = signinTokenOf(r.stdout);
    const identity = sb.emu.verifySigninToken(token);
    assert.ok(identity, 'the emulator accepts the sign-in token');
    const expectedName = `${bob}-with-a-long-name`.slice(0, 32);
    assert.equal(identity.arn, `arn:aws:sts::111111111111:federated-user/${expectedName}`);
    assert.equal(destination.searchParams.get('region'), 'us-west-2');
    assert.equal(sb.emu.count('GetFederationToken', true), 1);
  });

  test('a sign-in endpoint that refuses gives one plain line with no secret', async () => {
    const r = await sb.keytray(['console', bob, '--print'], { env: { KEYTRAY_SIGNIN_URL: `${sb.emu.url}/nowhere` } });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^keytray: The AWS sign-in endpoint refused the federation session: .*\\(HTTP \\d+\\).*profile "${bob}"`));
    for (const s of secrets) assert.ok(!r.stderr.includes(s));
    assert.doesNotMatch(r.stderr, /Session=|sessionKey/);
  });

  test('a destination on another site is a usage error', async () => {
    const r = await sb.keytray(['console', bob, '--print', '--destination', 'https://evil.example.com/']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is not a page of console\.aws\.amazon\.com/);
  });
});
