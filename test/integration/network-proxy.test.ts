import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createSandbox, type Sandbox } from './harness';
import { refusedEndpointUrl, startTinyproxy, startTlsFront, TINYPROXY, type TlsFront, type Tinyproxy } from './networkFixtures';

/**
 * Corporate proxies: HTTPS_PROXY, HTTP_PROXY and NO_PROXY (and their lowercase forms) are honoured
 * for every AWS call, as the AWS CLI honours them. The proxy is Debian's tinyproxy, started here on
 * a free loopback port; its log shows which requests went through it. The emulator is plain http,
 * so HTTP_PROXY applies to it; a TLS front makes an https endpoint for HTTPS_PROXY's CONNECT.
 */
describe('requests through a real proxy', { skip: !fs.existsSync(TINYPROXY) && 'tinyproxy is not installed' }, () => {
  let sb: Sandbox;
  let proxy: Tinyproxy;
  let front: TlsFront;
  let carol: string, bob: string, ops: string;
  let device: { unusedCode(): string };
  let emuHostPort: string;

  before(async () => {
    sb = await createSandbox();
    proxy = await startTinyproxy();
    front = await startTlsFront(sb.emu.url);
    emuHostPort = new URL(sb.emu.url).host;
    carol = sb.name('carol');
    bob = sb.name('bob');
    ops = sb.name('ops');
    const c = sb.emu.createUser(carol);
    const b = sb.emu.createUser(bob);
    const mfa = sb.emu.enableMfa(bob);
    device = mfa;
    const role = sb.emu.createRole({ name: ops, trustedPrincipals: [b.arn], requireMfa: true }).arn;
    sb.writeConfig(
      `[profile ${carol}]\nregion = us-east-1\n\n[profile ${bob}]\nmfa_serial = ${mfa.serial}\n\n[profile ${ops}]\nrole_arn = ${role}\nsource_profile = ${bob}\n`,
    );
    for (const [name, key] of [
      [carol, c],
      [bob, b],
    ] as const) {
      const add = await sb.keytray(['add', name, '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
      assert.equal(add.code, 0, add.stderr);
    }
  });

  after(async () => {
    await sb.keytray(['remove', carol, '--yes']);
    await sb.keytray(['remove', bob, '--yes']);
    await front.close();
    await proxy.close();
    await sb.close();
  });

  /** Runs a keytray command and returns the request lines the proxy logged meanwhile. */
  async function through(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; stdout: string; seen: string[] }> {
    const before = proxy.requests().length;
    const r = await sb.keytray(args, { env });
    return { ...r, seen: proxy.requests().slice(before) };
  }

  test('HTTP_PROXY carries STS calls to an http endpoint', async () => {
    const r = await through(['credential-process', carol], { HTTP_PROXY: proxy.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Version, 1);
    assert.ok(r.seen.some((line) => line.startsWith(`POST http://${emuHostPort}/`)), `the proxy saw the call: ${JSON.stringify(r.seen)}`);
    await sb.keytray(['clear', carol]);
  });

  test('the lowercase http_proxy works the same', async () => {
    const r = await through(['credential-process', carol], { http_proxy: proxy.url });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.seen.some((line) => line.startsWith(`POST http://${emuHostPort}/`)), JSON.stringify(r.seen));
    await sb.keytray(['clear', carol]);
  });

  test('NO_PROXY goes around the proxy, by host and by host:port', async () => {
    for (const noProxy of ['127.0.0.1', `localhost,${emuHostPort}`, '127.0.0.0/8']) {
      const r = await through(['credential-process', carol], { HTTP_PROXY: proxy.url, NO_PROXY: noProxy });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.seen, [], `NO_PROXY=${noProxy}: nothing through the proxy`);
      await sb.keytray(['clear', carol]);
    }
  });

  test('HTTPS_PROXY tunnels calls to an https endpoint with CONNECT, and HTTP_PROXY does not apply to it', async () => {
    const tls = { AWS_ENDPOINT_URL_STS: front.url, NODE_EXTRA_CA_CERTS: front.caFile };
    const viaHttps = await through(['credential-process', carol], { ...tls, HTTPS_PROXY: proxy.url });
    assert.equal(viaHttps.code, 0, viaHttps.stderr);
    assert.ok(viaHttps.seen.some((line) => line.startsWith(`CONNECT ${new URL(front.url).host}`)), JSON.stringify(viaHttps.seen));
    await sb.keytray(['clear', carol]);

    const httpOnly = await through(['credential-process', carol], { ...tls, HTTP_PROXY: proxy.url });
    assert.equal(httpOnly.code, 0, httpOnly.stderr);
    assert.deepEqual(httpOnly.seen, [], 'an https endpoint is not sent to HTTP_PROXY');
    await sb.keytray(['clear', carol]);
  });

  test('an untrusted certificate behind the proxy is one line pointing at AWS_CA_BUNDLE, which then trusts it', async () => {
    await sb.keytray(['clear', carol]);
    const untrusted = await through(['credential-process', carol], { AWS_ENDPOINT_URL_STS: front.url, HTTPS_PROXY: proxy.url });
    assert.equal(untrusted.code, 1);
    assert.equal(untrusted.stderr.trimEnd().split('\n').length, 1, untrusted.stderr);
    assert.match(
      untrusted.stderr,
      new RegExp(`The certificate of STS at ${front.url} through the proxy ${proxy.url} is not trusted, so GetSessionToken was not sent \\(\\w+\\).*profile "${carol}".*AWS_CA_BUNDLE`),
    );

    const trusted = await through(['credential-process', carol], { AWS_ENDPOINT_URL_STS: front.url, HTTPS_PROXY: proxy.url, AWS_CA_BUNDLE: front.caFile });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.ok(trusted.seen.some((line) => line.startsWith(`CONNECT ${new URL(front.url).host}`)), JSON.stringify(trusted.seen));
    await sb.keytray(['clear', carol]);

    const direct = await sb.keytray(['credential-process', carol], { env: { AWS_ENDPOINT_URL_STS: front.url, AWS_CA_BUNDLE: front.caFile } });
    assert.equal(direct.code, 0, direct.stderr);
    await sb.keytray(['clear', carol]);

    const missing = await sb.keytray(['credential-process', carol], { env: { AWS_ENDPOINT_URL_STS: front.url, AWS_CA_BUNDLE: '/no/such/ca.pem' } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^keytray: AWS_CA_BUNDLE names a file that cannot be read: \/no\/such\/ca\.pem \(ENOENT\)/);
  });

  test('a role chain with MFA, and IAM during rotate, go through the proxy too', async () => {
    const chain = await through(['credential-process', ops, '--mfa-code', device.unusedCode()], { HTTP_PROXY: proxy.url });
    assert.equal(chain.code, 0, chain.stderr);
    assert.ok(chain.seen.filter((line) => line.startsWith(`POST http://${emuHostPort}/`)).length >= 2, 'GetSessionToken and AssumeRole');

    const rotate = await through(['rotate', carol], { HTTP_PROXY: proxy.url });
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.ok(sb.emu.calls.some((c) => c.action === 'CreateAccessKey' && c.ok));
    assert.ok(rotate.seen.length >= 3, `CreateAccessKey, GetCallerIdentity and DeleteAccessKey through the proxy: ${rotate.seen.length}`);
  });

  test('the console federation request goes through the proxy', async () => {
    const r = await through(['console', ops, '--print'], { HTTP_PROXY: proxy.url });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.seen.some((line) => line.startsWith(`GET http://${emuHostPort}/federation?`)), 'the proxy saw getSigninToken');
  });

  test('a proxy that refuses connections is named in one line', async () => {
    const dead = await refusedEndpointUrl();
    await sb.keytray(['clear', carol]);
    const r = await sb.keytray(['credential-process', carol], { env: { HTTP_PROXY: dead } });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`The proxy ${dead} refused the connection for GetSessionToken at STS ${sb.emu.url}.*profile "${carol}".*HTTP_PROXY; NO_PROXY`));
  });

  test('a proxy that cannot reach the endpoint and answers itself is named, with the endpoint', async () => {
    await sb.keytray(['clear', carol]);
    const unreachable = await refusedEndpointUrl();
    const r = await sb.keytray(['credential-process', carol], { env: { HTTP_PROXY: proxy.url, AWS_ENDPOINT_URL_STS: unreachable } });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`The proxy ${proxy.url} answered HTTP 5\\d\\d to GetSessionToken for STS at ${unreachable} instead of forwarding it.*profile "${carol}".*Check that the proxy can reach ${unreachable} \\(or list the host in NO_PROXY\\)`),
    );
  });

  test("AWS's own error answers through the proxy are still AWS's", async () => {
    await sb.keytray(['clear', carol]);
    sb.emu.inject({ kind: 'throttle', action: 'GetSessionToken', times: 20 });
    try {
      const r = await sb.keytray(['credential-process', carol], { env: { HTTP_PROXY: proxy.url } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /STS is unavailable for GetSessionToken \(throttling after \d attempts\)/);
    } finally {
      sb.emu.clearFaults();
    }
  });

  test('a user name and password in the proxy URL never appear in a message', async () => {
    const dead = new URL(await refusedEndpointUrl());
    await sb.keytray(['clear', carol]);
    const r = await sb.keytray(['credential-process', carol], {
      env: { HTTPS_PROXY: `http://corp-user:hunter2@${dead.host}`, AWS_ENDPOINT_URL_STS: front.url, NODE_EXTRA_CA_CERTS: front.caFile },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`The proxy http://${dead.host} refused the connection for GetSessionToken at STS ${front.url}.*HTTPS_PROXY`));
    assert.doesNotMatch(r.stderr, /hunter2|corp-user/);
  });
});
