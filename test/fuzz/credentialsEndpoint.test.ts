import '../fastCheckSeed';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CREDENTIALS_PATH, startCredentialsServer, type RunningCredentialsServer } from '../../electron/core/credentialsServer/credentialsServer';
import { watchForCrashes } from './crashWatch';

/**
 * The local credentials endpoint (`exec --server`, `env --server`) fed generated HTTP: any method,
 * path, headers and body, and bytes that are not HTTP at all, over raw sockets. Every request gets
 * an answer or a clean close in time; only GET of the one path with the right Host and token and no
 * browser headers is ever served; and the endpoint still serves afterwards.
 */

// Generous for a loaded CI machine: a connection that is answered ends in milliseconds.
const DEADLINE_MS = 5_000;
const SECRET = 'fuzz-secret-access-key-0123456789abcdefgh';

interface Probe {
  label: string;
  bytes: Buffer;
  /** Whether the endpoint may serve it: GET of the path, the right Host and token, no browser headers. */
  servable: boolean;
  /** Whether it must: servable, and with no framing the HTTP parser may judge either way. */
  mustServe: boolean;
}

describe('fuzzing the credentials endpoint with generated requests', () => {
  let server: RunningCredentialsServer;
  const crashes = watchForCrashes();

  before(async () => {
    server = await startCredentialsServer({
      profile: 'fuzz',
      credentials: async () => ({ accessKeyId: 'ASIAFUZZFUZZFUZZFUZZ', secretAccessKey: SECRET, sessionToken: 'token', expiration: Date.now() + 3_600_000 }),
    });
  });

  after(async () => {
    await server?.close();
    crashes.stop();
  });

  const probes = (): fc.Arbitrary<Probe> => {
    // The right value is weighted up at every step, so that proper and nearly proper requests are common.
    const token = fc.oneof({ weight: 4, arbitrary: fc.constant(server.token) }, fc.string({ maxLength: 64 }), fc.constant(''), fc.constant(`Bearer ${server.token}`));
    const host = fc.oneof(
      { weight: 4, arbitrary: fc.constant(`127.0.0.1:${server.port}`) },
      fc.constant(`localhost:${server.port}`),
      fc.constant(`LOCALHOST:${server.port}`),
      fc.constant('evil.example'),
      fc.constant(`127.0.0.1:${server.port + 1}`),
      fc.string({ maxLength: 30 }),
    );
    const method = fc.oneof({ weight: 4, arbitrary: fc.constant('GET') }, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'get'), fc.stringMatching(/^[A-Z]{1,10}$/));
    const path = fc.oneof(
      { weight: 4, arbitrary: fc.constant(CREDENTIALS_PATH) },
      fc.constant(`${CREDENTIALS_PATH}?x=1`),
      fc.constant(`${CREDENTIALS_PATH}/`),
      fc.constant('/'),
      fc.constant(`/..${CREDENTIALS_PATH}`),
      fc.webPath(),
      fc.stringMatching(/^\/[\x21-\x7e]{0,60}$/),
    );
    const extraHeader = fc.oneof(
      fc.constantFrom('Origin: https://evil.example', 'Sec-Fetch-Mode: cors', 'Sec-Fetch-Site: cross-site', 'Transfer-Encoding: chunked', 'Content-Length: 5', 'Expect: 100-continue'),
      fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.stringMatching(/^[\x20-\x7e]{0,80}$/)).map(([k, v]) => `${k}: ${v}`),
    );
    const http = fc
      .record({
        method,
        path,
        host: fc.option(host, { nil: undefined }),
        token: fc.option(token, { nil: undefined }),
        extra: fc.oneof(fc.constant<string[]>([]), fc.array(extraHeader, { maxLength: 4 })),
        body: fc.option(fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)), { nil: undefined, freq: 3 }),
      })
      .map((r): Probe => {
        const lines = [`${r.method} ${r.path} HTTP/1.1`];
        if (r.host !== undefined) lines.push(`Host: ${r.host}`);
        if (r.token !== undefined) lines.push(`Authorization: ${r.token}`);
        lines.push(...r.extra);
        if (r.body) lines.push(`Content-Length: ${r.body.length}`);
        const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
        const browser = r.extra.some((h) => /^(origin|sec-fetch-)/i.test(h));
        // Framing headers, a second Host or Authorization, or an Upgrade leave the answer up to the HTTP parser.
        const oddFraming = r.extra.some((h) => /^(transfer-encoding|content-length|expect|host|authorization|upgrade|connection):/i.test(h));
        const pathOk = r.path.split('?')[0] === CREDENTIALS_PATH;
        const hostOk = r.host !== undefined && [`127.0.0.1:${server.port}`, `localhost:${server.port}`].includes(r.host.toLowerCase());
        const servable = r.method === 'GET' && pathOk && hostOk && r.token === server.token;
        return {
          label: 'generated HTTP request',
          bytes: r.body ? Buffer.concat([head, r.body]) : head,
          servable: servable && !browser,
          mustServe: servable && !browser && !oddFraming,
        };
      });
    const raw = fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((b): Probe => ({ label: 'random bytes', bytes: Buffer.from(b), servable: false, mustServe: false }));
    const huge = fc.integer({ min: 20_000, max: 200_000 }).map(
      (n): Probe => ({ label: 'an oversized header', bytes: Buffer.from(`GET ${CREDENTIALS_PATH} HTTP/1.1\r\nX-Big: ${'a'.repeat(n)}\r\n\r\n`), servable: false, mustServe: false }),
    );
    return fc.oneof({ weight: 6, arbitrary: http }, { weight: 2, arbitrary: raw }, { weight: 1, arbitrary: huge });
  };

  test('every request is answered or closed in time, and only a proper one is served', async () => {
    const counts = new Map<string, number>();
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(probes(), async (probe) => {
        counts.set(probe.label, (counts.get(probe.label) ?? 0) + 1);
        const answer = await send(server.port, probe.bytes);
        assert.ok(answer.closedInTime, `${probe.label}: no answer within ${DEADLINE_MS} ms`);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(answer.text)?.[1] ?? 'closed';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === '200') {
          assert.ok(probe.servable, `served a request that must be refused:\n${probe.bytes.toString('latin1').slice(0, 300)}`);
        } else if (probe.mustServe) {
          assert.fail(`refused a proper request (${status}):\n${probe.bytes.toString('latin1').slice(0, 300)}`);
        }
        if (status !== '200') assert.ok(!answer.text.includes(SECRET), 'a refusal carries no secret');
      }),
      { numRuns: 300 },
    );
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(
      `credentials endpoint fuzz: ${total} requests (${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}); answers ${[...statuses].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    );

    // Raw, as an SDK sends it: fetch() adds Sec-Fetch-Mode, which the endpoint rightly refuses.
    const good = await send(server.port, Buffer.from(`GET ${CREDENTIALS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: ${server.token}\r\n\r\n`));
    assert.match(good.text, /^HTTP\/1\.1 200/, 'a proper request is still served');
    assert.ok(good.text.includes(SECRET));
    crashes.assertNone();
  });
});

function send(port: number, bytes: Buffer): Promise<{ text: string; closedInTime: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedInTime: false });
    }, DEADLINE_MS);
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      // An interim answer (100 Continue) comes before the real one; only the real one counts.
      text = (text + d.toString('latin1')).replace(/^HTTP\/1\.1 1\d\d [^\r]*\r\n\r\n/, '');
      // One answer is all a probe waits for: keep-alive would otherwise hold the socket open.
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text.slice(0, headEnd))?.[1];
      if (headEnd >= 0 && length !== undefined && text.length - (headEnd + 4) >= Number(length)) socket.destroy();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedInTime: true });
    });
    socket.write(bytes, () => socket.end());
  });
}
