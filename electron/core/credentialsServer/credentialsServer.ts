import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { asKeytrayError, KeytrayError } from '../errors';
import { isoSeconds } from '../export/credentialDocument';
import type { AwsCredentials } from '../types';

/**
 * A local endpoint that speaks the container credentials protocol, the one ECS and EKS use: the
 * AWS SDKs and the AWS CLI read `AWS_CONTAINER_CREDENTIALS_FULL_URI`, send
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the `Authorization` header, and fetch fresh credentials by
 * themselves shortly before the previous ones expire. A terraform apply or a dev server can therefore
 * outlive any single STS session, which exported variables cannot.
 *
 * The endpoint hands out credentials, so it is defended like a secret:
 * - it listens on 127.0.0.1 only, on a random port;
 * - every request needs the bearer token (32 random bytes), compared in constant time;
 * - a request with an `Origin` or `Sec-Fetch-*` header comes from a browser and is refused, and so
 *   is any `Host` other than 127.0.0.1:PORT or localhost:PORT, which defeats DNS rebinding;
 * - it serves one profile, fixed when it starts, and has no other route.
 */

/** Fixed so the URL says what it is; the token, not the path, is the secret. */
export const CREDENTIALS_PATH = '/keytray/credentials';

/** Why a request was refused; reported to `onRequest` for the activity log and tests. */
export type RefusalReason = 'bad-method' | 'bad-path' | 'bad-host' | 'browser-origin' | 'no-token' | 'bad-token';

export interface CredentialsRequestEvent {
  profile: string;
  ok: boolean;
  status: number;
  /** Set when the request was refused before credentials were fetched. */
  refused?: RefusalReason;
  /** The one-line error when fetching credentials failed. */
  error?: string;
  remotePort?: number;
}

export interface CredentialsServerOptions {
  /** The one profile this endpoint serves; shown in events and error messages. */
  profile: string;
  /**
   * Produces the credentials for each request. The session engine is behind it: it answers from the
   * cache while more than 15 minutes remain, and refreshes (without a new MFA code while the MFA
   * session lasts) when fewer remain.
   */
  credentials: () => Promise<AwsCredentials>;
  /** The bearer token; random when omitted. Tests pass one to check refusals. */
  token?: string;
  /** Told about every request, served or refused. Never receives a secret. */
  onRequest?: (event: CredentialsRequestEvent) => void;
}

export interface RunningCredentialsServer {
  profile: string;
  /** http://127.0.0.1:PORT/keytray/credentials, the value of AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  url: string;
  port: number;
  /** The value of AWS_CONTAINER_AUTHORIZATION_TOKEN. A secret: never log it or put it in argv. */
  token: string;
  close(): Promise<void>;
}

/** A random bearer token: 32 bytes, base64url so it is a valid header value on every client. */
export function newBearerToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function startCredentialsServer(options: CredentialsServerOptions): Promise<RunningCredentialsServer> {
  const token = options.token ?? newBearerToken();
  const expectedDigest = digest(token);
  let port = 0;

  const server = http.createServer((req, res) => {
    const report = (event: Omit<CredentialsRequestEvent, 'profile' | 'remotePort'>) =>
      options.onRequest?.({ profile: options.profile, remotePort: req.socket.remotePort, ...event });
    const refusal = refusalOf(req, port, expectedDigest);
    if (refusal) {
      sendJson(res, refusal.status, { Code: refusal.code, Message: refusal.message });
      report({ ok: false, status: refusal.status, refused: refusal.reason });
      return;
    }
    options.credentials().then(
      (c) => {
        if (!c.sessionToken || c.expiration === undefined) {
          // The protocol has no way to say "this key never expires", and a long-term key must not
          // travel over a socket anyway.
          const message = `Profile "${options.profile}" produced a long-term key; the endpoint serves sessions only`;
          sendJson(res, 500, { Code: 'KeytrayNoSession', Message: message });
          report({ ok: false, status: 500, error: message });
          return;
        }
        sendJson(res, 200, {
          AccessKeyId: c.accessKeyId,
          SecretAccessKey: c.secretAccessKey,
          Token: c.sessionToken,
          Expiration: isoSeconds(c.expiration),
        });
        report({ ok: true, status: 200 });
      },
      (err: unknown) => {
        // The SDKs show this body in their error, so the user reads why (e.g. "an MFA code is needed").
        const line = asKeytrayError(err, options.profile).toLine();
        const status = err instanceof KeytrayError && err.code === 'sts-unavailable' ? 503 : 500;
        sendJson(res, status, { Code: 'KeytrayError', Message: line });
        report({ ok: false, status, error: line });
      },
    );
  });
  // Clients keep connections alive between fetches; nothing here needs a long-lived socket.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    profile: options.profile,
    url: `http://127.0.0.1:${port}${CREDENTIALS_PATH}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Refusal {
  status: number;
  code: string;
  message: string;
  reason: RefusalReason;
}

/** The checks every request passes before credentials are even looked up, cheapest first. */
function refusalOf(req: http.IncomingMessage, port: number, expectedDigest: Buffer): Refusal | null {
  if (req.method !== 'GET') return { status: 405, code: 'MethodNotAllowed', message: 'Only GET is served', reason: 'bad-method' };
  const path = (req.url ?? '').split('?')[0];
  if (path !== CREDENTIALS_PATH) return { status: 404, code: 'NotFound', message: 'No such resource', reason: 'bad-path' };
  // Browsers add these; SDKs and the AWS CLI never do. A page must not be able to read credentials.
  if (req.headers.origin !== undefined || Object.keys(req.headers).some((h) => h.startsWith('sec-fetch-'))) {
    return { status: 403, code: 'Forbidden', message: 'Requests from browsers are refused', reason: 'browser-origin' };
  }
  // DNS rebinding points a hostile name at 127.0.0.1; its requests then carry that name as Host.
  const host = (req.headers.host ?? '').toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return { status: 403, code: 'Forbidden', message: 'Unexpected Host header', reason: 'bad-host' };
  }
  const presented = req.headers.authorization;
  if (presented === undefined || presented === '') {
    return { status: 401, code: 'Unauthorized', message: 'The authorization token is missing', reason: 'no-token' };
  }
  // Comparing fixed-length digests keeps the comparison constant-time whatever the presented length.
  if (!timingSafeEqual(digest(presented), expectedDigest)) {
    return { status: 403, code: 'Forbidden', message: 'The authorization token is not valid', reason: 'bad-token' };
  }
  return null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
