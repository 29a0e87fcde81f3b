import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';

/**
 * Network conditions a user meets and the emulator cannot play: an endpoint that accepts the
 * connection and never answers (a captive portal, a dead VPN, a firewall that drops replies), a port
 * that refuses, a real proxy server (Debian's tinyproxy) and a TLS front for the emulator so that
 * HTTPS_PROXY's CONNECT path is exercised too.
 */

export interface SilentEndpoint {
  url: string;
  /** Connections accepted so far: one per attempt. */
  connections(): number;
  close(): Promise<void>;
}

/** Listens, accepts, reads whatever is sent and never writes a byte. */
export async function startSilentEndpoint(): Promise<SilentEndpoint> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface UnconnectableEndpoint {
  url: string;
  close(): Promise<void>;
}

/**
 * A port whose connections never complete, like a firewall that drops packets: a socket that
 * listens with a backlog of one and never accepts, its one place taken here, so the kernel drops
 * every later SYN. Node always accepts, hence python3 (on every machine that runs the AWS CLI tests).
 */
export async function startUnconnectableEndpoint(): Promise<UnconnectableEndpoint> {
  const script = 'import socket, sys, time\ns = socket.socket()\ns.bind(("127.0.0.1", 0))\ns.listen(0)\nprint(s.getsockname()[1], flush=True)\nsys.stdin.read()\n';
  const child = spawn('/usr/bin/python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim())));
    child.once('error', reject);
  });
  // Takes the queue's one place; the connection is never accepted.
  const filler = net.connect(port, '127.0.0.1');
  filler.on('error', () => undefined);
  await new Promise((r) => filler.once('connect', r));
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      filler.destroy();
      // Closing its stdin ends the script.
      child.stdin!.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

/** A loopback URL on a port that was free a moment ago, so connections to it are refused. */
export async function refusedEndpointUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

export const TINYPROXY = '/usr/bin/tinyproxy';

export interface Tinyproxy {
  url: string;
  /** The request lines tinyproxy logged ("GET http://…", "CONNECT 127.0.0.1:…"), in order. */
  requests(): string[];
  close(): Promise<void>;
}

/**
 * tinyproxy in the foreground on a free loopback port, with its own config and log in a temporary
 * directory outside the test HOME (its log holds the URLs it forwarded). No Allow/ConnectPort lines
 * other than loopback clients: upstreams on any loopback port are allowed.
 */
export async function startTinyproxy(): Promise<Tinyproxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-proxy-'));
  const port = await freePort();
  const log = path.join(dir, 'tinyproxy.log');
  fs.writeFileSync(
    path.join(dir, 'tinyproxy.conf'),
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 30',
      `LogFile "${log}"`,
      'LogLevel Connect',
      `PidFile "${path.join(dir, 'tinyproxy.pid')}"`,
      'MaxClients 100',
      'Allow 127.0.0.1',
      // Without ConnectPort lines every port may be CONNECTed to, the emulator's TLS front included.
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(TINYPROXY, ['-d', '-c', path.join(dir, 'tinyproxy.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d) => (output += d));
  await waitUntilListening(port, () => child.exitCode !== null, () => `tinyproxy did not start: ${output}`);
  const readLog = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () =>
      readLog()
        .split('\n')
        .map((line) => /Request \(file descriptor \d+\): (.*)$/.exec(line)?.[1])
        .filter((r): r is string => !!r),
    close: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilListening(port: number, gaveUp: () => boolean, why: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return;
    if (gaveUp() || Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TlsFront {
  /**
   * https://localhost:PORT, forwarding to the emulator. A host name, not 127.0.0.1: real endpoints
   * have names, and https-proxy-agent checks a tunnelled certificate against the name only.
   */
  url: string;
  /** The self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  close(): Promise<void>;
}

/**
 * HTTPS in front of the emulator: TLS terminated here, bytes passed through to the plain-http
 * emulator (the Host header, and so the SigV4 signature, arrive unchanged). The certificate is made
 * with openssl for localhost.
 */
export async function startTlsFront(upstreamUrl: string): Promise<TlsFront> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const caFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', caFile,
  ], { stdio: 'ignore' });
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(caFile) }, (client) => {
    const back = net.connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(back);
    client.pipe(back).pipe(client);
    const end = () => {
      client.destroy();
      back.destroy();
    };
    client.on('error', end).on('close', end);
    back.on('error', end).on('close', end);
  });
  const port = await listen(server);
  return {
    url: `https://localhost:${port}`,
    caFile,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
