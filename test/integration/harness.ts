import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator, type EmulatorUser, type MfaDevice } from '../emulator';

/**
 * A sandbox per test file: a temporary HOME with its own ~/.aws files and Keytray data directory,
 * the strict STS emulator, and helpers that run the built CLI and the real AWS tools as child
 * processes. Children are always spawned asynchronously: the emulator answers from this process.
 *
 * The keychain is the real Secret Service provided by test/run-with-keyring.sh; profile names are
 * made unique per sandbox so test files running side by side never share keychain items.
 */
export const REPO = path.resolve(__dirname, '..', '..', '..');
export const KEYTRAY_BIN = path.join(REPO, 'bin', 'keytray.js');
/** The packaged command line that `npm run build:cli-binary` builds (a Node single executable). */
export const CLI_BINARY = path.join(REPO, 'dist', 'cli-binary', 'keytray');
/**
 * The keytray under test: bin/keytray.js under this Node, or with KEYTRAY_TEST_CLI_BINARY=1 (npm
 * test's second pass, run with no DISPLAY or WAYLAND_DISPLAY) the packaged CLI binary, so every
 * integration test also shows what an installed app's `keytray` does.
 */
export const KEYTRAY_ARGV: readonly string[] = process.env.KEYTRAY_TEST_CLI_BINARY === '1' ? [CLI_BINARY] : [process.execPath, KEYTRAY_BIN];
/** What `installCli` should point a launcher at, for the keytray under test. */
export const LAUNCHER_TARGET = process.env.KEYTRAY_TEST_CLI_BINARY === '1' ? { cliBinary: CLI_BINARY } : { nodeScript: KEYTRAY_BIN };
export const AWS_CLI = '/usr/bin/aws';
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  emu: Emulator;
  home: string;
  configFile: string;
  credentialsFile: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** A profile name unique to this sandbox. */
  name(base: string): string;
  writeConfig(text: string): void;
  keytray(args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<RunResult>;
  run(cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<RunResult>;
  aws(args: string[], opts?: { env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  /**
   * The scenario most tests start from: a user with an MFA device, and a role (named like its
   * profile) that trusts the user and requires MFA. Nothing is written to the config or keychain.
   */
  userWithMfaRole(userBase?: string, roleBase?: string): { user: string; role: string; key: EmulatorUser; mfa: MfaDevice; roleArn: string };
  /** Who STS (the emulator) says a credential_process document belongs to. */
  identityOf(doc: { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string }): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;

export async function createSandbox(): Promise<Sandbox> {
  const emu = await startEmulator();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-it-'));
  const configFile = path.join(home, '.aws', 'config');
  const credentialsFile = path.join(home, '.aws', 'credentials');
  const dataDir = path.join(home, '.keytray');
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  const suffix = `${process.pid.toString(36)}${(counter++).toString(36)}`;
  const name = (base: string) => `${base}-${suffix}`;

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    // The private keyring of test/run-with-keyring.sh.
    DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR,
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    KEYTRAY_HOME: dataDir,
    AWS_ENDPOINT_URL: emu.url,
    KEYTRAY_SIGNIN_URL: emu.signinUrl,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // The AWS CLI would otherwise page output and print through `less`.
    AWS_PAGER: '',
    // Set KEYTRAY_DEBUG=1 when running tests to see the stack of an unexpected failure.
    KEYTRAY_DEBUG: process.env.KEYTRAY_DEBUG,
  };

  const run = (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) =>
    runProcess(cmd, args, { ...env, ...opts.env }, opts.input);

  return {
    emu,
    home,
    configFile,
    credentialsFile,
    dataDir,
    env,
    name,
    writeConfig: (text) => fs.writeFileSync(configFile, text, { mode: 0o600 }),
    keytray: (args, opts) => run(KEYTRAY_ARGV[0], [...KEYTRAY_ARGV.slice(1), ...args], opts),
    run,
    // AWS CLI 2.9 predates AWS_ENDPOINT_URL_*, so the endpoint is passed explicitly.
    aws: (args, opts) => run(AWS_CLI, [...args, '--endpoint-url', emu.url], opts),
    userWithMfaRole(userBase = 'alice', roleBase = 'admin') {
      const user = name(userBase);
      const role = name(roleBase);
      const key = emu.createUser(user);
      const mfa = emu.enableMfa(user);
      const roleArn = emu.createRole({ name: role, trustedPrincipals: [key.arn], requireMfa: true }).arn;
      return { user, role, key, mfa, roleArn };
    },
    identityOf: async (doc) => {
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      const sts = new STSClient({
        region: 'us-east-1',
        endpoint: emu.url,
        credentials: { accessKeyId: doc.AccessKeyId, secretAccessKey: doc.SecretAccessKey, sessionToken: doc.SessionToken },
      });
      return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '';
    },
    close: async () => {
      // The security rule (docs/architecture.md, Secrets) for every test file: no long-term or session secret the emulator issued may be left
      // in any file under the test HOME (config, credentials, Keytray's data dir, logs).
      const leaks = findSecretsOnDisk(home, emu.issuedSecrets());
      await emu.close();
      fs.rmSync(home, { recursive: true, force: true });
      if (leaks.length > 0) throw new Error(`secrets left on disk: ${leaks.join('; ')}`);
    },
  };
}

/**
 * A stand-in for the person at the browser, for IAM Identity Center sign-ins: a BROWSER command that
 * opens the page it is given and follows its redirects (back to Keytray's loopback listener). What
 * the person then does (approve, deny, walk away) is set with `emu.sso.browser(...)`.
 */
export function browserStandIn(home: string): { env: NodeJS.ProcessEnv; opened(): string[] } {
  const log = path.join(home, 'browser-opened');
  const script = path.join(home, 'person-at-browser.js');
  fs.writeFileSync(
    script,
    `require('fs').appendFileSync(${JSON.stringify(log)}, process.argv[2] + '\\n');
     fetch(process.argv[2], { redirect: 'follow' }).then((r) => r.text()).catch((e) => { console.error(String(e)); process.exit(1); });`,
  );
  return {
    env: { BROWSER: `${process.execPath} ${script}` },
    opened: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
  };
}

/** The user code of the device authorization a sign-in (the CLI's or the app's) started, once the emulator has one. */
export async function pendingUserCode(sb: Sandbox): Promise<string> {
  const until = Date.now() + 15_000;
  for (;;) {
    const codes = sb.emu.sso.pendingUserCodes();
    if (codes.length > 0) return codes[codes.length - 1];
    if (Date.now() > until) throw new Error('no device authorization started within 15 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The longest any one command of a test may take; far above what any should need on a loaded machine. */
const CHILD_TIMEOUT_MS = 180_000;

export function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    // detached: a new session with no controlling terminal, so /dev/tty prompts can never hang a test.
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    // A command that never ends is a bug to report, not a reason to hang the suite: its whole
    // process group is killed after CHILD_TIMEOUT_MS and the result says so.
    const timer = setTimeout(() => {
      stderr += `\n[harness] ${cmd} ${args.join(' ')} was killed after ${CHILD_TIMEOUT_MS / 1000} s: it never ended`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, CHILD_TIMEOUT_MS);
    timer.unref();
    child.on('error', (err) => resolve({ code: 127, signal: null, stdout, stderr: stderr + String(err) }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A child that exits before reading its input (Node refusing NODE_OPTIONS, a usage error) closes
    // the pipe: EPIPE then says nothing about the test, and must not surface as an uncaught error.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') stderr += String(err);
    });
    child.stdin.end(input ?? '');
  });
}

export function execFileAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { env }, (err, stdout, stderr) => (err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr }))),
  );
}

/** Every file under a directory, for the "no secret on disk" checks. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** Fails with the file name if any file under `dir` contains one of the secrets. */
export function findSecretsOnDisk(dir: string, secrets: string[]): string[] {
  const hits: string[] = [];
  for (const file of filesUnder(dir)) {
    const text = fs.readFileSync(file, 'latin1');
    for (const s of secrets) if (s && text.includes(s)) hits.push(`${file} contains a secret ending ${s.slice(-4)}`);
  }
  return hits;
}

export function awsCliAvailable(): boolean {
  return fs.existsSync(AWS_CLI);
}

/** Parses and checks a credential_process document the way the SDKs do. */
export function parseCredentialDocument(stdout: string): {
  Version: number;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
  Expiration?: string;
} {
  const doc = JSON.parse(stdout);
  if (doc.Version !== 1) throw new Error(`Version is ${doc.Version}`);
  return doc;
}
