import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openSecretUrlInBrowser, systemOpenCommand } from '../../electron/core/console/browserLauncher';
import { federationName } from '../../electron/core/console/consoleSignin';
import { consoleDestination, loginUrl, signinEndpointFor } from '../../electron/core/console/consoleUrls';
import { KeytrayError } from '../../electron/core/errors';

describe('console sign-in endpoints', () => {
  test('each partition signs in at its own host', () => {
    assert.equal(signinEndpointFor('aws', {}), 'https://signin.aws.amazon.com/federation');
    assert.equal(signinEndpointFor('aws-cn', {}), 'https://signin.amazonaws.cn/federation');
    assert.equal(signinEndpointFor('aws-us-gov', {}), 'https://signin.amazonaws-us-gov.com/federation');
  });

  test('KEYTRAY_SIGNIN_URL overrides, but session credentials never travel over plain http to another host', () => {
    assert.equal(signinEndpointFor('aws-cn', { KEYTRAY_SIGNIN_URL: 'https://signin.example.internal/federation' }), 'https://signin.example.internal/federation');
    assert.equal(signinEndpointFor('aws', { KEYTRAY_SIGNIN_URL: 'http://127.0.0.1:9000/federation' }), 'http://127.0.0.1:9000/federation');
    assert.throws(() => signinEndpointFor('aws', { KEYTRAY_SIGNIN_URL: 'http://signin.example.com/federation' }), /must use https/);
    assert.throws(() => signinEndpointFor('aws', { KEYTRAY_SIGNIN_URL: 'not a url' }), /not a URL/);
  });
});

describe('console destinations', () => {
  test('the console home of the partition, in the profile region, by default', () => {
    assert.equal(consoleDestination('aws', undefined, 'eu-west-1'), 'https://console.aws.amazon.com/console/home?region=eu-west-1');
    assert.equal(consoleDestination('aws-cn', undefined, 'cn-north-1'), 'https://console.amazonaws.cn/console/home?region=cn-north-1');
    assert.equal(consoleDestination('aws-us-gov', undefined, undefined), 'https://console.amazonaws-us-gov.com/console/home');
  });

  test('a path, with or without a leading slash, keeps its own query and fragment', () => {
    assert.equal(consoleDestination('aws', 's3/home', 'us-east-1'), 'https://console.aws.amazon.com/s3/home?region=us-east-1');
    assert.equal(
      consoleDestination('aws', '/ec2/v2/home?region=eu-central-1#Instances:', 'us-east-1'),
      'https://console.aws.amazon.com/ec2/v2/home?region=eu-central-1#Instances:',
    );
  });

  test('a full URL must be on the partition console, regional hosts included', () => {
    assert.equal(
      consoleDestination('aws', 'https://us-west-2.console.aws.amazon.com/lambda/home', undefined),
      'https://us-west-2.console.aws.amazon.com/lambda/home',
    );
    for (const bad of ['https://evil.example.com/console', 'http://console.aws.amazon.com/', 'https://console.aws.amazon.com.evil.example/', '//evil.example/x']) {
      assert.throws(() => consoleDestination('aws', bad, undefined), (e: unknown) => e instanceof KeytrayError && e.code === 'usage', bad);
    }
    assert.throws(() => consoleDestination('aws-cn', 'https://console.aws.amazon.com/', undefined), /console\.amazonaws\.cn/);
  });

  test('the login URL carries the token and destination as query parameters', () => {
    const url = new URL(loginUrl('https://signin.aws.amazon.com/federation', 'tok+en/=', 'https://console.aws.amazon.com/s3/home?region=x&y=1'));
    assert.equal(url.origin + url.pathname, 'https://signin.aws.amazon.com/federation');
    assert.equal(url.searchParams.get('Action'), 'login');
    assert.equal(url.searchParams.get('Issuer'), 'keytray');
    assert.equal(url.searchParams.get('SigninToken'), 'tok+en/=');
    assert.equal(url.searchParams.get('Destination'), 'https://console.aws.amazon.com/s3/home?region=x&y=1');
  });
});

describe('federation names', () => {
  test('the IAM user name from the ARN, path dropped, cut to 32 characters', () => {
    assert.equal(federationName('arn:aws:iam::123456789012:user/bob'), 'bob');
    assert.equal(federationName('arn:aws:iam::123456789012:user/division/team/alice'), 'alice');
    assert.equal(federationName(`arn:aws-cn:iam::123456789012:user/${'a'.repeat(40)}`), 'a'.repeat(32));
    // GetFederationToken wants at least 2 characters.
    assert.equal(federationName('arn:aws:iam::123456789012:user/x'), 'x-keytray');
  });
});

describe('opening a secret URL in the browser', () => {
  test('the browser gets a one-shot local URL that redirects once; the secret never reaches its argv', async () => {
    const secret = 'https://signin.aws.amazon.com/federation?Action=login&SigninToken=SECRET';
    let launchedWith = '';
    let second = 0;
    await openSecretUrlInBrowser(secret, {
      launch: async (local) => {
        launchedWith = local;
        // A browser on the wrong path or host learns nothing.
        const wrongPath = await fetch(new URL('/guess', local), { redirect: 'manual' });
        assert.equal(wrongPath.status, 404);
        const r = await fetch(local, { redirect: 'manual' });
        assert.equal(r.status, 302);
        assert.equal(r.headers.get('location'), secret);
        assert.equal(r.headers.get('cache-control'), 'no-store');
        second = await fetch(local, { redirect: 'manual' }).then((x) => x.status, () => -1);
      },
      timeoutMs: 5_000,
    });
    assert.match(launchedWith, /^http:\/\/127\.0\.0\.1:\d+\/[\w-]{32}$/);
    assert.ok(!launchedWith.includes('SECRET'));
    assert.notEqual(second, 302, 'the local URL works once');
  });

  test('a browser that never comes gives a one-line error that points to --print', async () => {
    await assert.rejects(
      openSecretUrlInBrowser('https://example.invalid/secret', { launch: async () => undefined, timeoutMs: 200 }),
      (e: unknown) => e instanceof KeytrayError && /--print/.test(e.toLine()) && !e.toLine().includes('secret'),
    );
  });

  test('the system opener runs without a shell on every platform', () => {
    assert.deepEqual(systemOpenCommand('linux'), { command: 'xdg-open', args: [] });
    assert.deepEqual(systemOpenCommand('darwin'), { command: 'open', args: [] });
    assert.deepEqual(systemOpenCommand('win32'), { command: 'rundll32', args: ['url.dll,FileProtocolHandler'] });
  });
});
