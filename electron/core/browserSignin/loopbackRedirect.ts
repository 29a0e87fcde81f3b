import { timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeytrayError } from '../errors';

/**
 * The one-shot loopback listener of a native-app OAuth sign-in (RFC 8252 7.3): it listens on
 * 127.0.0.1 at a random port, waits for the browser to come back to `redirectUri` with `code` and
 * the `state` it was given, answers the browser with a short page, and stops listening.
 *
 * - A request without the expected state is answered 400 and ignored: another local process
 *   that guesses the port can neither end the wait nor slip in its own code.
 * - `error=access_denied` (the person said no) and other OAuth errors end the wait with one line.
 * - Nothing comes back within `timeoutMs`: the wait ends with a timeout error, never a hang.
 * - `signal` aborts (the person pressed Cancel in the app): the wait ends at once with the signal's
 *   reason, and a browser that comes back later finds nobody listening.
 */

export interface LoopbackRedirectOptions {
  /** The `state` sent in the authorize URL; the redirect must bring back exactly this. */
  state: string;
  /** Path of the redirect URI, e.g. `/oauth/callback`. */
  path: string;
  timeoutMs: number;
  /** Names the service in messages, e.g. "IAM Identity Center" or "AWS Sign-In". */
  serviceName: string;
  /** The command that starts over, for the hint of a timeout or a denial, e.g. `keytray sso login corp`. */
  retryCommand: string;
  /** Ends the wait early; `code` rejects with the signal's reason (an Error) or a plain "cancelled" line. */
  signal?: AbortSignal;
}

export interface LoopbackRedirect {
  /** http://127.0.0.1:PORT/path: register and send this as redirect_uri. */
  redirectUri: string;
  /** The authorization code, once the browser came back with the right state. */
  code: Promise<string>;
  /** Stops listening (idempotent); the pending `code` rejects if it has not settled. */
  close(): void;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:system-ui;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

export async function startLoopbackRedirect(options: LoopbackRedirectOptions): Promise<LoopbackRedirect> {
  let settle!: { resolve: (code: string) => void; reject: (e: Error) => void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // A caller that closes early does not want an unhandled rejection.
  code.catch(() => undefined);
  let done = false;
  let port = 0;

  const finish = (err: Error | null, value?: string) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (err) settle.reject(err);
    else settle.resolve(value!);
    // Let the page reach the browser before the socket goes.
    setImmediate(() => {
      server.close();
      server.closeAllConnections();
    });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const reply = (status: number, title: string, text: string) =>
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).end(PAGE(title, text));
    if (done || req.method !== 'GET' || url.pathname !== options.path) return reply(404, 'Not found', 'Nothing is waiting here.');
    const state = url.searchParams.get('state');
    if (state === null || !sameText(state, options.state)) return reply(400, 'Sign-in not recognised', 'This does not answer the sign-in Keytray started.');
    const error = url.searchParams.get('error');
    if (error !== null) {
      reply(200, 'Sign-in cancelled', 'You can close this window.');
      finish(
        error === 'access_denied'
          ? new KeytrayError('sso-denied', `The sign-in to ${options.serviceName} was denied in the browser`, { hint: `Run \`${options.retryCommand}\` again and allow the request.` })
          : new KeytrayError('sso-signin', `${options.serviceName} refused the sign-in: ${oauthText(error, url.searchParams.get('error_description'))}`, {
              hint: `Run \`${options.retryCommand}\` again; if it keeps failing, check the start URL and region.`,
            }),
      );
      return;
    }
    const value = url.searchParams.get('code');
    if (!value) return reply(400, 'Sign-in incomplete', 'The browser came back without an authorization code.');
    reply(200, 'Signed in', 'Keytray has your sign-in. You can close this window.');
    finish(null, value);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  const timer = setTimeout(
    () =>
      finish(
        new KeytrayError('sso-timeout', `The browser did not come back from the ${options.serviceName} sign-in within ${Math.round(options.timeoutMs / 1000)} s`, {
          hint: `Run \`${options.retryCommand}\` again and finish the sign-in in the browser, or add --device-code to sign in from another device.`,
        }),
      ),
    options.timeoutMs,
  );
  const onAbort = () => finish(abortReason(options));
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    redirectUri: `http://127.0.0.1:${port}${options.path}`,
    code,
    close: () => finish(new KeytrayError('sso-signin', `The ${options.serviceName} sign-in was abandoned`)),
  };
}

function abortReason(options: LoopbackRedirectOptions): Error {
  const reason: unknown = options.signal?.reason;
  return reason instanceof Error && !(reason.name === 'AbortError') ? reason : new KeytrayError('signin-cancelled', `The ${options.serviceName} sign-in was cancelled`, { hint: `Run \`${options.retryCommand}\` to sign in.` });
}

function sameText(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** An OAuth error as a short phrase; the description comes from the server and is cut to one line. */
function oauthText(error: string, description: string | null): string {
  const clean = (s: string) => s.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200);
  return description ? `${clean(error)} (${clean(description)})` : clean(error);
}
