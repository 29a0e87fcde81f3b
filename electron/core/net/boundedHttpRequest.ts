import * as http from 'node:http';
import * as https from 'node:https';
import {
  agentsFor,
  boundedRetryStrategy,
  CONNECT_TIMEOUT_MS,
  RESPONSE_TIMEOUT_MS,
  routeFor,
  type AwsCallPurpose,
} from './awsClientOptions';
import { NetworkFailure, networkFailureKind } from './networkFailure';

/**
 * A plain HTTP(S) request under the same policy as the SDK clients: connect and response timeouts,
 * the proxy variables, bounded retries. For endpoints that are not SDK operations: the sign-in
 * federation endpoint, the `aws login` token endpoint.
 *
 *   const res = await boundedHttpRequest(env, { service: 'SIGNIN', region, endpoint: url }, url, { method: 'POST', headers, body });
 *   // res.status, res.headers, res.body (text). A failure on the network throws a NetworkFailure:
 *   //   catch (err) { if (err instanceof NetworkFailure) throw err.toKeytrayError({ profile, action: 'CreateOAuth2Token' }); }
 *
 * The URL and the body may carry secrets (a sign-in session, a refresh token): neither ever appears
 * in a failure; only the endpoint given in `purpose` (or the URL's origin) does.
 */
export interface BoundedRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * The request may be sent twice (a GET, a read): connection failures and timeouts are then retried
   * inside the budget. Otherwise it is retried only when it certainly never left (refused, unresolved).
   */
  idempotent?: boolean;
  /** Answers larger than this are cut off as a failure; 1 MiB by default. */
  maxResponseBytes?: number;
}

export interface BoundedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export async function boundedHttpRequest(
  env: NodeJS.ProcessEnv,
  purpose: AwsCallPurpose,
  url: string | URL,
  request: BoundedRequest = {},
): Promise<BoundedResponse> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const route = routeFor(env, { ...purpose, endpoint: purpose.endpoint ?? target.origin });
  const agents = agentsFor(env);
  const retry = boundedRetryStrategy({ oneShot: !request.idempotent });
  const started = Date.now();
  let token = await retry.acquireInitialRetryToken('');
  for (;;) {
    try {
      return await attempt(target, request, target.protocol === 'https:' ? agents.https : agents.http);
    } catch (err) {
      const kind = networkFailureKind(err);
      if (!kind) throw err;
      try {
        // An untrusted certificate stays untrusted: it is not tried again.
        token = await retry.refreshRetryTokenForRetry(token, { errorType: kind.kind === 'untrusted' ? 'CLIENT_ERROR' : 'TRANSIENT', error: err });
      } catch {
        throw new NetworkFailure(kind.kind, route, kind.errno, Date.now() - started, token.getRetryCount() + 1);
      }
      await new Promise((r) => setTimeout(r, token.getRetryDelay()));
    }
  }
}

function attempt(url: URL, request: BoundedRequest, agent: http.Agent): Promise<BoundedResponse> {
  const limit = request.maxResponseBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    let connected = false;
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      fn();
    };
    // The request is destroyed without an error: an error passed to destroy() once the answer has
    // begun is emitted on a socket nobody listens to, which would end the process.
    const abandon = (err: Error) => {
      finish(() => reject(err));
      req.destroy();
    };
    const req = send(url, { method: request.method ?? 'GET', headers: request.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) abandon(Object.assign(new Error('the answer was too large'), { code: 'ECONNRESET' }));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })));
      res.on('error', (err) => finish(() => reject(err)));
      res.on('aborted', () => finish(() => reject(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }))));
    });
    // A proxy agent hands over a socket that is already connected (to the proxy); the response
    // timer bounds the rest, connect and TLS included.
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    const connectTimer = setTimeout(() => {
      if (!connected) abandon(Object.assign(new Error('could not establish a connection in time'), { name: 'TimeoutError' }));
    }, CONNECT_TIMEOUT_MS);
    const responseTimer = setTimeout(() => abandon(Object.assign(new Error('no answer in time'), { name: 'TimeoutError', code: 'ETIMEDOUT' })), RESPONSE_TIMEOUT_MS);
    req.on('error', (err) => finish(() => reject(err)));
    req.end(request.body);
  });
}
