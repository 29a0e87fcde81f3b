import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { KeytrayError } from '../core/errors';
import { CLI_MODE_FLAG } from '../core/install/cliModeFlags';
import { appBinaryBesideCliBinary } from '../core/install/cliBinaryLayout';
import { runKeytray } from './entry';
import { agentCredentialDocument } from './fastPath';
import { keychainAccessFor } from './keychainAccessPolicy';

/**
 * The packaged command line: a Node single executable that starts without Chromium, so it runs
 * over SSH with no display and costs a credential_process call what the checkout's CLI costs.
 *
 * Where the policy lets it open the keychain (Linux), it is the same program as bin/keytray.js.
 * Elsewhere it answers what a running agent can answer and hands everything else to the app binary
 * in CLI mode, the only binary that keychain trusts.
 */
export async function runCliBinary(args: string[], platform: NodeJS.Platform = process.platform, execPath: string = process.execPath): Promise<void> {
  if (keychainAccessFor(platform, 'cli-binary').opensKeychain) return runKeytray(args);

  // Checking an install must not need the app: `keytray --version` answers from this binary.
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) return runKeytray(args);
  if (args.length === 2 && args[0] === 'credential-process' && !args[1].startsWith('-')) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const doc = await agentCredentialDocument(args[1]);
    if (doc !== null) {
      process.stdout.write(doc, () => process.exit(0));
      return;
    }
  }
  const { code, signal } = await runAppInCliMode(appBinaryBesideCliBinary(execPath, platform), args);
  if (signal) {
    // Die of the same signal, as `keytray exec` does, so the caller sees what the app did.
    process.kill(process.pid, signal);
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  }
  process.exit(code ?? 1);
}

/**
 * Runs `<app> --keytray-cli -- ARGS…` on this terminal and resolves with how it ended. Signals sent
 * to this process are forwarded, as `keytray exec` forwards them to its command.
 */
export function runAppInCliMode(appBinary: string, args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!fs.existsSync(appBinary)) return Promise.reject(appMissing(appBinary));
  return new Promise((resolve, reject) => {
    const child = spawn(appBinary, [CLI_MODE_FLAG, '--', ...args], { stdio: 'inherit', windowsHide: true });
    // Windows delivers Ctrl-C to every process on the console, the app included: this one only has to
    // outlive it, to pass the app's exit status on.
    const windows = process.platform === 'win32';
    const forwarded: NodeJS.Signals[] = windows ? ['SIGINT'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];
    const forward = (signal: NodeJS.Signals) => {
      if (!windows) child.kill(signal);
    };
    for (const s of forwarded) process.on(s, forward);
    const stopForwarding = () => {
      for (const s of forwarded) process.off(s, forward);
    };
    child.once('error', (err) => {
      stopForwarding();
      reject((err as NodeJS.ErrnoException).code === 'ENOENT' ? appMissing(appBinary) : new KeytrayError('io', `Cannot start ${appBinary} (${(err as NodeJS.ErrnoException).code ?? 'error'})`));
    });
    child.once('exit', (code, signal) => {
      stopForwarding();
      resolve({ code, signal });
    });
  });
}

function appMissing(appBinary: string): KeytrayError {
  return new KeytrayError('io', `The Keytray app was not found at ${appBinary}`, {
    hint: 'On macOS and Windows the command line works through the app: reinstall Keytray, then run Install command line tool again.',
  });
}
