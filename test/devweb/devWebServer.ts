/**
 * `npm run dev:web`: the renderer in an ordinary browser, wired to the real core through the same
 * handler table, schemas and app wiring as the Electron main process (desktopApp.ts), with only the
 * Electron surface (windows, tray, notifications) replaced. For development and the Chromium UI
 * tests; it lives under test/ so it is never packaged.
 *
 * - Listens on 127.0.0.1 only, on a random port unless KEYTRAY_DEV_PORT or --port says otherwise.
 * - The page needs the random token printed in its URL; every RPC call carries it in a header, and
 *   the Host and Origin headers must name this server (so another site, or a DNS-rebound name,
 *   cannot drive the vault from a browser tab).
 * - Honours the documented environment (AWS_CONFIG_FILE, KEYTRAY_HOME, AWS_ENDPOINT_URL, …) because
 *   core reads it.
 * - Hosts the agent like the app does, so a CLI call that needs MFA shows up at `#prompt`.
 * - Pushes what Electron's main process sends the windows (state, prompts, settings, activity) as
 *   Server-Sent Events on `/events`, which needs the same token (EventSource cannot send headers,
 *   so it rides in the query, as it does for the page).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CHANNELS, PUSH_EVENTS } from '../../electron/ipc/channels';
import { callHandler } from '../../electron/ipc/ipcDoor';
import { startDesktopApp, type DesktopApp } from '../../electron/desktop/desktopApp';
import type { TrayMenuItem } from '../../electron/desktop/trayTemplate';
import { CONTENT_SECURITY_POLICY } from '../../electron/desktop/windowSecurity';
import { autostartEntryPath } from '../../electron/desktop/linuxAutostart';
import { platformSupport } from '../../electron/desktop/platformSupport';
import type { AppSupport } from '../../electron/ipc/contract';

export interface DevWebServer {
  url: string;
  app: DesktopApp;
  /** What the tray would show now; lets tests check the tray without Electron. */
  tray(): { template: TrayMenuItem[]; tooltip: string };
  /** Every RPC channel the page has called, in order: tests check that an idle page calls none. */
  rpcCalls(): string[];
  /** Whether something (the window's Quit, the tray's) asked the app to quit; dev:web keeps running. */
  quitRequested(): boolean;
  close(): Promise<void>;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const RENDERER_DIR = path.join(REPO_ROOT, 'dist', 'renderer');
const MAX_BODY = 64 * 1024;
const STATIC_FILES: Record<string, string> = { '/app.js': 'text/javascript', '/styles.css': 'text/css' };

export async function startDevWebServer(
  options: { env?: NodeJS.ProcessEnv; port?: number; log?: (line: string) => void; trayHost?: AppSupport['trayHost']; signInTimeoutMs?: number } = {},
): Promise<DevWebServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`dev:web: ${line}\n`));
  const token = randomBytes(24).toString('base64url');
  let clipboardText = '';
  let tray = { template: [] as TrayMenuItem[], tooltip: '' };
  const rpcCalls: string[] = [];
  let quitRequested = false;
  const listeners = new Set<http.ServerResponse>();

  const app = await startDesktopApp({
    env,
    // As the app on this platform would say, with a tray unless a test says there is none.
    support: () => platformSupport(process.platform, options.trayHost ?? 'available', process.platform === 'linux' ? autostartEntryPath(env) : undefined),
    launcherPath: () => path.join(REPO_ROOT, 'bin', 'keytray.js'),
    // How long a browser sign-in waits; Chromium tests of the prompt window's timeout shorten it.
    signInTimeoutMs: options.signInTimeoutMs,
    surface: {
      // The browser's clipboard is out of main's reach by design; this stands in for Electron's.
      clipboard: {
        writeText: async (t) => void (clipboardText = t),
        readText: async () => clipboardText,
      },
      // The prompt view hears of requests through the pushed events; there is no window to raise.
      promptWindow: { show: () => log('an MFA code or a browser sign-in is waiting at #prompt'), hide: () => undefined },
      showMainWindow: () => undefined,
      renderTray: (template, tooltip) => void (tray = { template, tooltip }),
      notify: (title, body) => log(`notification: ${title}: ${body}`),
      setStartAtLogin: (enabled) => log(`start at login would be ${enabled ? 'on' : 'off'} (not applied in dev:web)`),
      openExternal: async (url) => log(`would open ${new URL(url).origin} in the browser`),
      quit: () => void (quitRequested = true),
      log,
      push(event, payload) {
        const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
        for (const res of listeners) res.write(frame);
      },
    },
  });

  const indexHtml = fs
    .readFileSync(path.join(RENDERER_DIR, 'index.html'), 'utf8')
    // The bridge must define window.keytray before the app's bundle runs.
    .replace('<script src="app.js"></script>', '<script src="dev-bridge.js"></script>\n    <script src="app.js"></script>');
  const bridge = browserBridgeSource();

  let origin = '';
  const server = http.createServer((req, res) => {
    const headers = {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      // The token is in the page URL: never let it leave in a Referer.
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
    };
    const reply = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { ...headers, 'Content-Type': type });
      res.end(body);
    };
    if (req.headers.host !== origin.slice('http://'.length)) return reply(421, 'text/plain', 'Wrong host\n');
    const url = new URL(req.url ?? '/', origin);

    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
      if (!tokenMatches(url.searchParams.get('token'), token)) return reply(403, 'text/plain', 'Open the URL that `npm run dev:web` printed.\n');
      return reply(200, 'text/html; charset=utf-8', indexHtml);
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      if (!tokenMatches(url.searchParams.get('token'), token)) return reply(403, 'text/plain', 'Missing or wrong dev:web token\n');
      res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream' });
      // A comment line opens the stream at once, so the page's EventSource reports "open".
      res.write(': keytray\n\n');
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/dev-bridge.js') return reply(200, 'text/javascript', bridge);
    if (req.method === 'GET' && STATIC_FILES[url.pathname]) {
      return reply(200, STATIC_FILES[url.pathname], fs.readFileSync(path.join(RENDERER_DIR, url.pathname.slice(1))));
    }
    if (req.method === 'POST' && url.pathname === '/rpc') {
      if (!tokenMatches(req.headers['x-keytray-token'], token)) return reply(403, 'application/json', JSON.stringify(forbidden('Missing or wrong dev:web token')));
      if (req.headers.origin !== undefined && req.headers.origin !== origin) return reply(403, 'application/json', JSON.stringify(forbidden('Wrong origin')));
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return reply(415, 'application/json', JSON.stringify(forbidden('Send JSON')));
      let body = '';
      let tooLarge = false;
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > MAX_BODY) tooLarge = true;
      });
      req.on('end', () => {
        if (tooLarge) return reply(413, 'application/json', JSON.stringify(forbidden('Request too large')));
        let message: { channel?: unknown; request?: unknown };
        try {
          message = JSON.parse(body) as typeof message;
        } catch {
          return reply(400, 'application/json', JSON.stringify({ ok: false, error: { code: 'ipc-invalid', message: 'Malformed JSON' } }));
        }
        if (typeof message.channel === 'string') rpcCalls.push(message.channel);
        // The same door as Electron's ipcMain: channel check, schema, handler, errors as values.
        void callHandler(app.handlers, message.channel, message.request).then((result) => reply(200, 'application/json', JSON.stringify(result)));
      });
      return;
    }
    reply(404, 'text/plain', 'Not found\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/?token=${token}`,
    app,
    tray: () => tray,
    rpcCalls: () => [...rpcCalls],
    quitRequested: () => quitRequested,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.stop();
    },
  };
}

function forbidden(message: string) {
  return { ok: false, error: { code: 'ipc-forbidden', message } };
}

function tokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The browser-side twin of the preload: the same frozen `window.keytray` object, over fetch. */
function browserBridgeSource(): string {
  return `(() => {
  'use strict';
  const token = new URLSearchParams(location.search).get('token') || '';
  const channels = ${JSON.stringify(CHANNELS)};
  const pushEvents = ${JSON.stringify(PUSH_EVENTS)};
  let events = null;
  const invoke = async (channel, request) => {
    if (!channels.includes(channel)) return { ok: false, error: { code: 'ipc-invalid', message: 'Unknown IPC channel' } };
    try {
      const res = await fetch('/rpc', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-keytray-token': token },
        body: JSON.stringify({ channel, request }),
      });
      return await res.json();
    } catch {
      return { ok: false, error: { code: 'io', message: 'The dev:web server is not answering; restart npm run dev:web.' } };
    }
  };
  const on = (event, listener) => {
    if (!pushEvents.includes(event) || typeof listener !== 'function') return () => undefined;
    // One stream for every listener; EventSource reconnects by itself if the server restarts.
    events = events || new EventSource('/events?token=' + encodeURIComponent(token));
    const forward = (message) => listener(JSON.parse(message.data));
    events.addEventListener(event, forward);
    return () => events.removeEventListener(event, forward);
  };
  Object.defineProperty(window, 'keytray', { value: Object.freeze({ invoke, on }), writable: false, configurable: false });
})();
`;
}

if (require.main === module) {
  const portArg = process.argv.indexOf('--port');
  const port = Number(portArg > 0 ? process.argv[portArg + 1] : process.env.KEYTRAY_DEV_PORT ?? 0);
  startDevWebServer({ port }).then(
    (dev) => {
      process.stdout.write(`Keytray dev:web: ${dev.url}\n`);
      const stop = () => void dev.close().finally(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`dev:web: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
