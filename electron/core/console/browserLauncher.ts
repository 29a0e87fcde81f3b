import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeytrayError } from '../errors';

/**
 * Opening a secret URL in the default browser without exposing it.
 *
 * A browser is started with the URL in its argv (xdg-open, open, rundll32), and any process of any
 * user can read argv while it runs (/proc/PID/cmdline, ps). So the browser gets a one-shot local
 * URL instead, http://127.0.0.1:PORT/<random>, that answers exactly one request with a redirect to
 * the real one and then stops listening. What argv shows is worthless once it has been used.
 */

/** Starts a browser on a URL that carries no secret. */
export type BrowserLauncher = (localUrl: string) => Promise<void>;

export interface OpenSecretUrlOptions {
  /** The system browser by default; the desktop app passes Electron's `shell.openExternal`. */
  launch?: BrowserLauncher;
  /** How long to wait for the browser to follow the local URL. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;

export async function openSecretUrlInBrowser(secretUrl: string, options: OpenSecretUrlOptions = {}): Promise<void> {
  const launch = options.launch ?? launchSystemBrowser;
  const nonce = randomBytes(24).toString('base64url');
  let port = 0;
  let used = false;
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const followed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const server = http.createServer((req, res) => {
    const expectedHost = (req.headers.host ?? '').toLowerCase() === `127.0.0.1:${port}`;
    if (used || req.method !== 'GET' || req.url !== `/${nonce}` || !expectedHost) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    used = true;
    res.writeHead(302, { location: secretUrl, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    res.end(() => settle!.resolve());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  const timer = setTimeout(
    () =>
      settle!.reject(
        new KeytrayError('io', `The browser did not open the sign-in page within ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`, {
          hint: 'Run again with --print and open the URL yourself.',
        }),
      ),
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  try {
    await Promise.all([launch(`http://127.0.0.1:${port}/${nonce}`), followed]);
  } finally {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
  }
}

/** The platform's "open with the default application" command. */
export function systemOpenCommand(platform: NodeJS.Platform = process.platform): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [] };
  // rundll32 opens a URL without a shell; `cmd /c start` would parse & and ^ in it.
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler'] };
  return { command: 'xdg-open', args: [] };
}

/** Runs the system opener without a shell; fails when it cannot run or reports an error. */
export const launchSystemBrowser: BrowserLauncher = (localUrl) =>
  new Promise((resolve, reject) => {
    const { command, args } = systemOpenCommand();
    const child = spawn(command, [...args, localUrl], { stdio: 'ignore', detached: true, windowsHide: true });
    const noBrowser = (why: string) =>
      new KeytrayError('io', `Could not open a browser (${why})`, { hint: 'Run again with --print and open the URL yourself.' });
    child.once('error', (err: NodeJS.ErrnoException) => reject(noBrowser(err.code === 'ENOENT' ? `${command} not found` : err.message)));
    // xdg-open and open return once the browser has the URL; a non-zero status means none could.
    child.once('exit', (code) => (code === 0 || code === null ? resolve() : reject(noBrowser(`${command} exited with status ${code}`))));
    child.unref();
  });
