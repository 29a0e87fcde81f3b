import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requestThroughAgent } from '../../electron/cli/agentClient';
import { REUSE_MARGIN_MS } from '../../electron/core/sessions/sessionReuse';
import { resolvePaths } from '../../electron/core/paths';
import { saveSettings, DEFAULT_SETTINGS } from '../../electron/core/settings';
import { startEmulator } from '../emulator';
import { KEYTRAY_BIN, runProcess } from '../integration/harness';

/**
 * `npm run soak`: a `keytray agent` serves SOAK_REQUESTS credential requests (10,000) from
 * SOAK_CLIENTS concurrent clients (50) over about SOAK_SECONDS (60), while the sessions it serves
 * run out of reuse time every 5 to 60 seconds and are refreshed against the emulator: roles of 905,
 * 910 and 915 s and user sessions of 960 s leave 5 to 60 s before the 15-minute reuse margin. One
 * user has MFA, so its refreshes go through the agent's ask-the-client MFA round trip and
 * mfa_process. The clients are the real agent client (the code `keytray credential-process` runs),
 * in this process so that 10,000 requests do not cost 10,000 process starts.
 *
 * Figures and limits: failures (0 allowed: an error, no agent, a wrong or expired session); STS
 * calls made (at most one per profile per reuse window, and at least one refresh per role); the
 * agent's peak RSS, and its growth after warm-up (at most 10 %) measured after a full garbage
 * collection at both ends (gcProbe.ts); its open file descriptors at the end against those after
 * warm-up (no leak). Exits 1 when a figure is over its limit.
 */

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 10_000);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 50);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
/** The first tenth of the requests: caches, JIT and the keychain's D-Bus connection settle. */
const WARMUP = Math.max(CLIENTS, Math.floor(REQUESTS / 10));
const MAX_RSS_GROWTH = 0.1;
/** Kept-alive sockets and the like may differ by a descriptor or two between two quiet moments. */
const FD_SLACK = 2;

interface Profile {
  name: string;
  /** How long a session of it is served before it is refreshed. */
  reuseSeconds: number;
  kind: 'user' | 'role';
}

async function main(): Promise<number> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-soak-'));
  const emu = await startEmulator();
  const suffix = process.pid.toString(36);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR,
    AWS_CONFIG_FILE: path.join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
    KEYTRAY_HOME: path.join(home, '.keytray'),
    AWS_ENDPOINT_URL: emu.url,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const paths = resolvePaths(env);
  const sessionSeconds = 960;
  const alice = `soak-alice-${suffix}`;
  const carol = `soak-carol-${suffix}`;
  const profiles: Profile[] = [
    { name: alice, reuseSeconds: sessionSeconds - REUSE_MARGIN_MS / 1000, kind: 'user' },
    { name: carol, reuseSeconds: sessionSeconds - REUSE_MARGIN_MS / 1000, kind: 'user' },
    { name: `soak-deploy-${suffix}`, reuseSeconds: 5, kind: 'role' },
    { name: `soak-audit-${suffix}`, reuseSeconds: 10, kind: 'role' },
    { name: `soak-ops-${suffix}`, reuseSeconds: 15, kind: 'role' },
  ];
  let agent: SoakedAgent | undefined;
  try {
    const a = emu.createUser(alice);
    const c = emu.createUser(carol);
    const mfa = emu.enableMfa(alice);
    const role = (name: string, principal: string, requireMfa: boolean) => emu.createRole({ name, trustedPrincipals: [principal], requireMfa }).arn;
    const mfaScript = path.join(home, 'mfa-code.js');
    fs.writeFileSync(
      mfaScript,
      `fetch(${JSON.stringify(`${emu.url}/__emulator/totp?serial=${encodeURIComponent(mfa.serial)}&unused=1`)}).then((r) => r.text()).then((t) => process.stdout.write(t));\n`,
    );
    fs.mkdirSync(path.dirname(paths.configFile), { recursive: true });
    fs.writeFileSync(
      paths.configFile,
      [
        `[profile ${alice}]`,
        `mfa_serial = ${mfa.serial}`,
        `mfa_process = ${process.execPath} ${mfaScript}`,
        '',
        `[profile ${carol}]`,
        '',
        `[profile ${profiles[2].name}]`,
        `role_arn = ${role(profiles[2].name, a.arn, true)}`,
        `source_profile = ${alice}`,
        'duration_seconds = 905',
        '',
        `[profile ${profiles[3].name}]`,
        `role_arn = ${role(profiles[3].name, a.arn, true)}`,
        `source_profile = ${alice}`,
        'duration_seconds = 910',
        '',
        `[profile ${profiles[4].name}]`,
        `role_arn = ${role(profiles[4].name, c.arn, false)}`,
        `source_profile = ${carol}`,
        'duration_seconds = 915',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    saveSettings(paths.dataDir, { ...DEFAULT_SETTINGS, mfaSessionSeconds: sessionSeconds });
    for (const [name, key] of [
      [alice, a],
      [carol, c],
    ] as const) {
      const add = await runProcess(process.execPath, [KEYTRAY_BIN, 'add', name, '--env'], { ...env, AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey });
      if (add.code !== 0) throw new Error(`keytray add ${name} failed: ${add.stderr}`);
    }

    agent = await startAgent(env);
    const pid = agent.child.pid!;
    const rss = new RssSampler(pid);

    const failures: string[] = [];
    let served = 0;
    const started = Date.now();
    // Each client paces itself so that the run lasts about SECONDS, long enough for every session to
    // pass its reuse window several times.
    const pauseMs = (CLIENTS * SECONDS * 1000) / REQUESTS;
    const run = async (count: number) => {
      let next = 0;
      const client = async (id: number) => {
        for (;;) {
          const i = next++;
          if (i >= count) return;
          const t0 = Date.now();
          const profile = profiles[(i + id) % profiles.length];
          try {
            const got = await requestThroughAgent(paths, { profile: profile.name });
            if (got === null) failures.push(`${profile.name}: no agent answered`);
            else if (!got.credentials.accessKeyId.startsWith('ASIA') || !got.credentials.sessionToken) failures.push(`${profile.name}: not a session`);
            else if ((got.credentials.expiration ?? 0) - Date.now() <= REUSE_MARGIN_MS - 1000) failures.push(`${profile.name}: served a session inside the reuse margin`);
            else served++;
          } catch (err) {
            failures.push(`${profile.name}: ${(err as Error).message}`);
          }
          const wait = pauseMs * (0.5 + Math.random()) - (Date.now() - t0);
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));
    };

    await run(WARMUP);
    const warmFds = await quietFdCount(pid);
    const warm = await agent.retained();
    await run(REQUESTS - WARMUP);
    const elapsedS = (Date.now() - started) / 1000;
    const endFds = await quietFdCount(pid);
    const end = await agent.retained();
    rss.stop();

    const stsCalls = emu.calls.filter((c) => c.service === 'sts' && (c.action === 'GetSessionToken' || c.action === 'AssumeRole'));
    const stsFailed = stsCalls.filter((c) => !c.ok).length;
    // One call per profile per reuse window, and one for the first session.
    const maxCalls = profiles.reduce((n, p) => n + Math.ceil(elapsedS / p.reuseSeconds) + 1, 0);
    const minCalls = profiles.filter((p) => p.kind === 'role').length * 2;
    const growth = (end.rss - warm.rss) / warm.rss;

    const checks: Array<[string, string, boolean]> = [
      ['failures', `${failures.length} of ${REQUESTS} (limit 0)`, failures.length === 0],
      ['served', `${served} in ${elapsedS.toFixed(1)} s by ${CLIENTS} clients`, served === REQUESTS],
      ['STS calls made', `${stsCalls.length} (${stsFailed} refused; GetSessionToken ${stsCalls.filter((c) => c.action === 'GetSessionToken').length}, AssumeRole ${stsCalls.filter((c) => c.action === 'AssumeRole').length}; expected ${minCalls}..${maxCalls})`, stsFailed === 0 && stsCalls.length >= minCalls && stsCalls.length <= maxCalls],
      ['peak RSS', `${mib(rss.peak)} (sampled every 100 ms; V8 collects lazily)`, true],
      [
        'RSS growth after warm-up',
        `${(growth * 100).toFixed(1)} % (limit ${MAX_RSS_GROWTH * 100} %): after a full GC ${mib(warm.rss)} then ${mib(end.rss)}; JS heap ${mib(warm.heapUsed)} then ${mib(end.heapUsed)}`,
        growth <= MAX_RSS_GROWTH,
      ],
      ['open file descriptors', `${endFds} at the end, ${warmFds} after warm-up (limit +${FD_SLACK})`, endFds <= warmFds + FD_SLACK],
    ];
    console.log(`Keytray soak (node ${process.version}, ${os.cpus().length} cores): ${REQUESTS} requests, ${CLIENTS} clients, sessions refreshed every 5-60 s`);
    for (const [what, figure, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'OVER'} ${what.padEnd(26)} ${figure}`);
    for (const f of failures.slice(0, 5)) console.log(`  failure: ${f}`);
    return checks.every(([, , ok]) => ok) ? 0 : 1;
  } finally {
    const child = agent?.child;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    for (const p of profiles.filter((x) => x.kind === 'user')) await runProcess(process.execPath, [KEYTRAY_BIN, 'remove', p.name, '--yes'], env);
    await emu.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

interface SoakedAgent {
  child: ChildProcess;
  /** A full garbage collection in the agent, then its RSS and live JS heap. */
  retained(): Promise<{ rss: number; heapUsed: number }>;
}

async function startAgent(env: NodeJS.ProcessEnv): Promise<SoakedAgent> {
  const probe = path.join(__dirname, 'gcProbe.js');
  const child = spawn(process.execPath, ['--require', probe, KEYTRAY_BIN, 'agent'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d) => (out += d));
  await until(() => /listening on/.test(out), () => child.exitCode !== null, () => `the agent did not start: ${out}`);
  return {
    child,
    async retained() {
      const seen = out.length;
      child.kill('SIGUSR2');
      let line: RegExpExecArray | null = null;
      await until(() => !!(line = /gc-probe (\{.*\})\n/.exec(out.slice(seen))), () => child.exitCode !== null, () => `no answer from the gc probe: ${out}`);
      return JSON.parse(line![1]) as { rss: number; heapUsed: number };
    },
  };
}

async function until(ready: () => boolean, gaveUp: () => boolean, why: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (gaveUp() || Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The agent's resident set, sampled every 100 ms from /proc. */
class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    if (m) this.peak = Math.max(this.peak, Number(m[1]) * 1024);
  }
}

/**
 * The agent's open descriptors once it is idle: client connections closed, and kept-alive sockets
 * to STS past the keep-alive time the emulator announces (5 s).
 */
async function quietFdCount(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 6_000));
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`soak: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
