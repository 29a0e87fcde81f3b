import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI_BINARY, runProcess, type Sandbox } from '../integration/harness';

/**
 * The packaged CLI binary's credential_process cache hit, against the same floor as the checkout's
 * (a bare node script printing a cached JSON file) and with the same budgets: the binary is what an
 * installed app's `keytray` runs, so its hot path must cost what the checkout's does. Runs alternate
 * with floor runs and each ratio is the median of run-by-run ratios, as in index.ts.
 */
export async function cliBinaryCacheHit(sb: Sandbox, profile: string, floorScript: string, runs: number): Promise<string[]> {
  if (!fs.existsSync(CLI_BINARY)) return [`the CLI binary: skipped, ${CLI_BINARY} is missing (npm run build:cli-binary)`];
  const floor = () => timed(process.execPath, [floorScript], sb.env);
  const binary = () => timed(CLI_BINARY, ['credential-process', profile], sb.env);

  for (let i = 0; i < 3; i++) await Promise.all([floor(), binary()]);
  const keychainFloor: number[] = [];
  const keychainTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    keychainFloor.push(await floor());
    keychainTimes.push(await binary());
  }
  const agentFloor: number[] = [];
  const agentTimes: number[] = [];
  const agent = await startBinaryAgent(sb);
  try {
    for (let i = 0; i < 3; i++) await binary();
    for (let i = 0; i < runs; i++) {
      agentFloor.push(await floor());
      agentTimes.push(await binary());
    }
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => (agent.exitCode !== null ? r(null) : agent.once('exit', r)));
  }
  const rssKiB = await peakRssKiB(sb, profile);
  const ratio = (xs: number[], floorXs: number[]) => median(xs.map((x, i) => x / floorXs[i])).toFixed(2);
  const size = fs.statSync(CLI_BINARY).size / 2 ** 20;
  return [
    `the CLI binary (dist/cli-binary/keytray, a Node single executable of ${size.toFixed(0)} MiB): the same cache hit against the same floor`,
    `  agent running          ${ms(median(agentTimes))}   floor ${ms(median(agentFloor))}   ratio ${ratio(agentTimes, agentFloor)}  (budget 1.15)`,
    `  no agent, keychain     ${ms(median(keychainTimes))}   floor ${ms(median(keychainFloor))}   ratio ${ratio(keychainTimes, keychainFloor)}  (budget 1.50)`,
    `  peak RSS, no agent     ${(rssKiB / 1024).toFixed(1).padStart(7)} MiB  (budget 80 MiB)`,
  ];
}

/**
 * maxRSS reported from inside the binary at exit. A single executable takes no Node options on its
 * command line, but it still honours NODE_OPTIONS=--require (see docs/architecture.md), which is
 * what lets the reporter in here.
 */
async function peakRssKiB(sb: Sandbox, profile: string): Promise<number> {
  const reporter = path.join(sb.home, 'rss-binary.js');
  const out = path.join(sb.home, 'rss-binary.txt');
  fs.writeFileSync(reporter, `process.on('exit',()=>require('fs').writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));\n`);
  let peak = 0;
  for (let i = 0; i < 5; i++) {
    const r = await runProcess(CLI_BINARY, ['credential-process', profile], { ...sb.env, NODE_OPTIONS: `--require=${reporter}` });
    if (r.code !== 0) throw new Error(`the CLI binary failed: ${r.stderr.trim()}`);
    peak = Math.max(peak, Number(fs.readFileSync(out, 'utf8')));
  }
  return peak;
}

/** `keytray agent` from the binary, as a user starts it over SSH. */
async function startBinaryAgent(sb: Sandbox): Promise<ChildProcess> {
  const agent = spawn(CLI_BINARY, ['agent'], { env: sb.env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the binary's agent did not listen within 10 s: ${out}`)), 10_000);
    agent.stdout!.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (/listening on/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    agent.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the binary's agent exited: ${out}`));
    });
  });
  return agent;
}

async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t = performance.now();
  const r = await runProcess(cmd, args, env);
  const elapsed = performance.now() - t;
  if (r.code !== 0) throw new Error(`${path.basename(cmd)} failed: ${r.stderr}`);
  return elapsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function ms(x: number): string {
  return `${x.toFixed(1).padStart(7)} ms`;
}
