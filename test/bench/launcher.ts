import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { installCli } from '../../electron/core/install/installCli';
import { CLI_BINARY, createSandbox, KEYTRAY_BIN, REPO, runProcess, type Sandbox } from '../integration/harness';

/**
 * What the installed `keytray` launcher adds to a credential_process cache hit (no agent: the
 * keychain path), next to `node bin/keytray.js` and the floor of any Node helper. Also the CLI-mode
 * dispatch the packaged app uses, with Node standing in for Electron.
 *
 *   npm run build && bash test/run-with-keyring.sh node dist/test/bench/launcher.js
 */
const RUNS = Number(process.env.KEYTRAY_BENCH_RUNS ?? 25);

async function main(): Promise<void> {
  const sb = await createSandbox();
  try {
    const profile = await seedCachedRole(sb);
    const cached = (await runProcess(process.execPath, [KEYTRAY_BIN, 'credential-process', profile], sb.env)).stdout;
    const floorScript = path.join(sb.home, 'floor.js');
    fs.writeFileSync(path.join(sb.home, 'cached.json'), cached, { mode: 0o600 });
    fs.writeFileSync(floorScript, `process.stdout.write(require('fs').readFileSync(${JSON.stringify(path.join(sb.home, 'cached.json'))}));\n`);

    const checkout = installCli({ prefix: path.join(sb.home, 'checkout bin'), nodeScript: KEYTRAY_BIN, platform: 'linux' }).path;
    const fakeApp = path.join(sb.home, 'fake-app');
    const cliMode = path.join(REPO, 'dist', 'electron', 'cli', 'packagedCliMode.js');
    fs.writeFileSync(fakeApp, `#!${process.execPath}\nrequire(${JSON.stringify(cliMode)}).startCliModeIfRequested(process.argv) || process.exit(3);\n`, { mode: 0o755 });
    const binary = installCli({ prefix: path.join(sb.home, 'binary bin'), cliBinary: CLI_BINARY, platform: 'linux' }).path;

    const series: Record<string, () => Promise<number>> = {
      'floor (node prints a cached file)': () => timed(process.execPath, [floorScript], sb.env),
      'node bin/keytray.js': () => timed(process.execPath, [KEYTRAY_BIN, 'credential-process', profile], sb.env),
      'installed launcher (checkout)': () => timed(checkout, ['credential-process', profile], sb.env),
      'installed launcher (CLI binary)': () => timed(binary, ['credential-process', profile], sb.env),
      'app binary in CLI mode (Node for Electron)': () => timed(fakeApp, ['--keytray-cli', '--', 'credential-process', profile], sb.env),
    };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(series).map((k) => [k, []]));
    for (let i = 0; i < 3; i++) for (const run of Object.values(series)) await run();
    // Interleaved, so drift in machine load hits every series alike.
    for (let i = 0; i < RUNS; i++) for (const [k, run] of Object.entries(series)) samples[k].push(await run());

    const floor = median(samples['floor (node prints a cached file)']);
    const direct = median(samples['node bin/keytray.js']);
    process.stdout.write(`\nLauncher start-up, credential-process cache hit without an agent (${os.cpus().length} cores, ${RUNS} runs)\n`);
    for (const [k, v] of Object.entries(samples)) {
      const m = median(v);
      process.stdout.write(`${k.padEnd(36)} ${m.toFixed(1).padStart(6)} ms  ${(m / floor).toFixed(2)}x floor  ${(m - direct >= 0 ? '+' : '') + (m - direct).toFixed(1)} ms vs direct\n`);
    }
  } finally {
    await sb.keytray(['clear']);
    await sb.close();
  }
}

async function seedCachedRole(sb: Sandbox): Promise<string> {
  const user = sb.name('launch-user');
  const role = sb.name('launch-role');
  const u = sb.emu.createUser(user);
  const arn = sb.emu.createRole({ name: 'LaunchRole', trustedPrincipals: [u.arn] }).arn;
  sb.writeConfig(`[profile ${user}]\n\n[profile ${role}]\nrole_arn = ${arn}\nsource_profile = ${user}\n`);
  for (const args of [['add', user, '--env'], ['credential-process', role]]) {
    const r = await sb.keytray(args, { env: { AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey } });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  return role;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
});
