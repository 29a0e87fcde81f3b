import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { awsClientOptions, boundedRetryStrategy, CALL_BUDGET_MS, RESPONSE_TIMEOUT_MS } from '../../electron/core/net/awsClientOptions';
import { boundedHttpRequest } from '../../electron/core/net/boundedHttpRequest';
import { NetworkFailure, networkFailureKind } from '../../electron/core/net/networkFailure';
import { bypassesProxy, describeProxy, proxyFor } from '../../electron/core/net/proxyRoutes';

describe('which proxy a request goes through', () => {
  it('uses HTTP_PROXY for http and HTTPS_PROXY for https, as the AWS CLI does', () => {
    const env = { HTTP_PROXY: 'http://plain:3128', HTTPS_PROXY: 'http://tls:3128' };
    assert.equal(proxyFor('http://sts.example/', env), 'http://plain:3128');
    assert.equal(proxyFor('https://sts.us-east-1.amazonaws.com/', env), 'http://tls:3128');
    assert.equal(proxyFor('https://sts.us-east-1.amazonaws.com/', { HTTP_PROXY: 'http://plain:3128' }), undefined, 'HTTP_PROXY is not for https');
  });

  it('prefers the lowercase variable, and reads a proxy without a scheme as http', () => {
    assert.equal(proxyFor('https://a.example/', { https_proxy: 'lower:1', HTTPS_PROXY: 'http://upper:2' }), 'http://lower:1');
    assert.equal(proxyFor('https://a.example/', { HTTPS_PROXY: 'proxy.corp:8080' }), 'http://proxy.corp:8080');
  });

  it('reads NO_PROXY entries as names with their subdomains, host:port, CIDR ranges and *', () => {
    const no = 'internal.corp, .svc.example,*.wild.example,10.0.0.0/8,127.0.0.1:9000';
    assert.equal(bypassesProxy('internal.corp', 443, no), true);
    assert.equal(bypassesProxy('sts.internal.corp', 443, no), true);
    assert.equal(bypassesProxy('badinternal.corp', 443, no), false, 'a name matches at a dot, not inside a label');
    assert.equal(bypassesProxy('svc.example', 443, no), true);
    assert.equal(bypassesProxy('a.b.wild.example', 443, no), true);
    assert.equal(bypassesProxy('10.20.30.40', 443, no), true);
    assert.equal(bypassesProxy('11.0.0.1', 443, no), false);
    assert.equal(bypassesProxy('127.0.0.1', 9000, no), true);
    assert.equal(bypassesProxy('127.0.0.1', 9001, no), false, 'host:port matches that port only');
    assert.equal(bypassesProxy('anything.example', 443, '*'), true);
    assert.equal(bypassesProxy('STS.Internal.Corp.', 443, no), true, 'case and a trailing dot do not matter');
    assert.equal(proxyFor('https://sts.internal.corp/', { HTTPS_PROXY: 'http://p:1', no_proxy: 'internal.corp' }), undefined);
  });

  it('names a proxy without the user name and password in its URL', () => {
    assert.equal(describeProxy('http://alice:s3cret@proxy.corp:3128'), 'http://proxy.corp:3128');
  });
});

describe('the retry budget', () => {
  const transient = (code: string) => ({ errorType: 'TRANSIENT', error: Object.assign(new Error(code), { code }) });
  const timeout = { errorType: 'TRANSIENT', error: Object.assign(new Error('a request has exceeded the configured requestTimeout'), { name: 'TimeoutError' }) };

  it('stops at the attempt limit', async () => {
    const s = boundedRetryStrategy({ oneShot: false, maxAttempts: 3, budgetMs: 60_000, attemptMs: 10 });
    let t = await s.acquireInitialRetryToken('');
    t = await s.refreshRetryTokenForRetry(t, transient('ECONNREFUSED'));
    t = await s.refreshRetryTokenForRetry(t, transient('ECONNREFUSED'));
    assert.equal(t.getRetryCount(), 2);
    await assert.rejects(s.refreshRetryTokenForRetry(t, transient('ECONNREFUSED')));
  });

  it('starts no attempt that could not end inside the budget', async () => {
    const s = boundedRetryStrategy({ oneShot: false, budgetMs: 1_000, attemptMs: 1_000 });
    const t = await s.acquireInitialRetryToken('');
    await assert.rejects(s.refreshRetryTokenForRetry(t, timeout));
    // The defaults: a silent endpoint gets two attempts, and the second ends inside the budget.
    assert.ok(2 * RESPONSE_TIMEOUT_MS < CALL_BUDGET_MS && 3 * RESPONSE_TIMEOUT_MS > CALL_BUDGET_MS);
  });

  it('never resends a one-time value once it may have arrived, but does when it never left', async () => {
    const s = boundedRetryStrategy({ oneShot: true, budgetMs: 60_000, attemptMs: 10 });
    const t = await s.acquireInitialRetryToken('');
    await assert.rejects(s.refreshRetryTokenForRetry(t, timeout), 'no answer: AWS may have spent it');
    await assert.rejects(s.refreshRetryTokenForRetry(t, transient('ECONNRESET')), 'cut off: AWS may have spent it');
    assert.equal((await s.refreshRetryTokenForRetry(t, transient('ECONNREFUSED'))).getRetryCount(), 1);
    assert.equal((await s.refreshRetryTokenForRetry(t, { errorType: 'THROTTLING' })).getRetryCount(), 1, 'throttled requests were not processed');
  });

  it('does not retry an answer that says the request is wrong', async () => {
    const s = boundedRetryStrategy({ oneShot: false });
    await assert.rejects(s.refreshRetryTokenForRetry(await s.acquireInitialRetryToken(''), { errorType: 'CLIENT_ERROR' }));
  });

  it('backs off longer for throttling than for a dropped connection', async () => {
    const s = boundedRetryStrategy({ oneShot: false, budgetMs: 60_000, attemptMs: 10 });
    const first = await s.acquireInitialRetryToken('');
    const delays = { throttle: 0, transient: 0 };
    for (let i = 0; i < 200; i++) {
      delays.throttle = Math.max(delays.throttle, (await s.refreshRetryTokenForRetry(first, { errorType: 'THROTTLING' })).getRetryDelay());
      delays.transient = Math.max(delays.transient, (await s.refreshRetryTokenForRetry(first, transient('ECONNREFUSED'))).getRetryDelay());
    }
    assert.ok(delays.transient <= 100 && delays.throttle > 100 && delays.throttle <= 500, JSON.stringify(delays));
  });
});

describe('the failure line', () => {
  const env = { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4566', HTTP_PROXY: 'http://bob:pw@proxy.corp:3128' };

  it('names the endpoint, the proxy without its password, the profile and what to check', () => {
    const net = awsClientOptions(env, { service: 'STS', region: 'eu-west-1' });
    const err = net.failureOf(Object.assign(new Error('x'), { name: 'TimeoutError', $metadata: { attempts: 2 } }), 16_200)!;
    assert.ok(err instanceof NetworkFailure);
    const line = err.toKeytrayError({ profile: 'alice', action: 'GetSessionToken' }).toLine();
    assert.equal(
      line,
      'STS at http://127.0.0.1:4566 did not answer GetSessionToken through the proxy http://proxy.corp:3128 within 16 s (2 attempts) (profile "alice"). ' +
        'Check your network and VPN, the proxy (HTTP_PROXY; NO_PROXY to go around it), and AWS_ENDPOINT_URL_STS.',
    );
  });

  it('is the line the README shows', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const shown = /^keytray: (STS at .* did not answer .*)$/m.exec(readme)?.[1];
    const net = awsClientOptions({}, { service: 'STS', region: 'eu-west-1' });
    const err = net.failureOf(Object.assign(new Error('x'), { name: 'TimeoutError', $metadata: { attempts: 2 } }), 16_100)!;
    assert.equal(err.toKeytrayError({ profile: 'alice', action: 'GetSessionToken' }).toLine(), shown);
  });

  it("tells a proxy's own answer from AWS's by the request id every AWS answer carries", () => {
    const net = awsClientOptions({ HTTPS_PROXY: 'http://proxy.corp:3128' }, { service: 'STS', region: 'eu-west-1' });
    const fromProxy = net.failureOf(Object.assign(new Error('Unknown'), { $metadata: { httpStatusCode: 407, attempts: 1 } }), 10)!;
    assert.equal(fromProxy.kind, 'proxy-answered');
    assert.match(fromProxy.toKeytrayError({ profile: 'p', action: 'GetSessionToken' }).toLine(), /answered HTTP 407 .*put them in HTTPS_PROXY \(http:\/\/user:password@host:port\)/);
    const fromAws = net.failureOf(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400, requestId: 'r-1' } }), 10);
    assert.equal(fromAws, undefined, "AWS's answers are worded by the caller");
  });

  it('names the default endpoint of the region when nothing overrides it', () => {
    const net = awsClientOptions({}, { service: 'STS', region: 'eu-west-1' });
    assert.equal(net.route.endpoint, 'https://sts.eu-west-1.amazonaws.com');
    assert.equal(net.clientOptions.endpoint, undefined, 'the SDK resolves its own endpoint');
    assert.equal(net.route.proxyVariable, 'HTTPS_PROXY');
    const sso = awsClientOptions({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }, { service: 'SSO_OIDC', region: 'eu-west-1' });
    assert.equal(sso.clientOptions.endpoint, 'http://127.0.0.1:1');
    assert.equal(sso.route.endpointVariable, 'AWS_ENDPOINT_URL');
  });

  it('tells the kinds apart, through an error cause too', () => {
    assert.equal(networkFailureKind(Object.assign(new Error(), { code: 'ECONNREFUSED' }))?.kind, 'refused');
    assert.equal(networkFailureKind(Object.assign(new Error(), { code: 'ENOTFOUND' }))?.kind, 'unresolved');
    assert.equal(networkFailureKind(new Error('fetch failed', { cause: Object.assign(new Error(), { code: 'ECONNRESET' }) }))?.kind, 'reset');
    assert.equal(
      networkFailureKind(Object.assign(new Error('the request socket did not establish a connection with the server within the configured timeout'), { name: 'TimeoutError' }))?.kind,
      'no-connection',
    );
    assert.equal(networkFailureKind(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))?.kind, 'untrusted');
    assert.equal(networkFailureKind(Object.assign(new Error('Access denied'), { name: 'AccessDenied' })), undefined, 'an answer is not a network failure');
  });

  it('a refused connection for an SDK client sets the request handler timeouts it relies on', () => {
    const { requestHandler, maxAttempts } = awsClientOptions({}, { service: 'IAM', region: 'us-east-1' }).clientOptions;
    assert.ok(requestHandler.connectionTimeout > 0 && requestHandler.requestTimeout > requestHandler.connectionTimeout);
    assert.equal(requestHandler.throwOnRequestTimeout, true, 'otherwise the handler only warns and keeps waiting');
    assert.ok(maxAttempts >= 2);
  });
});

describe('a plain request under the same policy', () => {
  it('returns the status and body, and never names the query (it may carry a session) in a failure', async () => {
    const server = http.createServer((req, res) => res.writeHead(req.url?.startsWith('/ok') ? 200 : 404).end('{"SigninToken":"t"}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await boundedHttpRequest({}, { service: 'SIGNIN', region: 'us-east-1' }, `${base}/ok?Session=secret`, { idempotent: true });
      assert.equal(ok.status, 200);
      assert.equal(ok.body, '{"SigninToken":"t"}');
    } finally {
      await new Promise((r) => server.close(r));
    }
    // A port nothing listens on (the closed server's may still have a kept-alive connection).
    const spare = http.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', () => r()));
    const refused = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise((r) => spare.close(r));
    const err = await boundedHttpRequest({}, { service: 'SIGNIN', region: 'us-east-1' }, `${refused}/ok?Session=secret`).catch((e: unknown) => e);
    assert.ok(err instanceof NetworkFailure, String(err));
    assert.equal(err.kind, 'refused');
    const line = err.toKeytrayError({ profile: 'p', action: 'getSigninToken' }).toLine();
    assert.match(line, new RegExp(`SIGNIN at ${refused} refused the connection for getSigninToken`));
    assert.doesNotMatch(line, /secret/);
  });

  it('cuts off an answer that is too large', async () => {
    const server = http.createServer((_req, res) => res.writeHead(200).end('x'.repeat(4096)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const err = await boundedHttpRequest({}, { service: 'SIGNIN', region: 'us-east-1' }, url, { maxResponseBytes: 1024 }).catch((e: unknown) => e);
      assert.ok(err instanceof NetworkFailure && err.kind === 'reset', String(err));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
