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
  const code = await runAppInCliMode(appBinaryBesideCliBinary(execPath, platform), args);
  process.exit(code);
}

/**
 * Runs `<app> --keytray-cli -- ARGS…` on this terminal and resolves with the exit status to pass on.
 * Signals the user sends (Ctrl-C, a closed terminal) are forwarded, and a child killed by one is
 * reported the way a shell reports it (128 + the signal's number).
 */
export function runAppInCliMode(appBinary: string, args: string[]): Promise<number> {
  if (!fs.existsSync(appBinary)) return Promise.reject(appMissing(appBinary));
  return new Promise((resolve, reject) => {
    const child = spawn(appBinary, [CLI_MODE_FLAG, '--', ...args], { stdio: 'inherit', windowsHide: true });
    const forwarded: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
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
      const signalNumber = signal ? (os.constants.signals[signal] as number | undefined) : undefined;
      resolve(code ?? (signalNumber ? 128 + signalNumber : 1));
    });
  });
}

function appMissing(appBinary: string): KeytrayError {
  return new KeytrayError('io', `The Keytray app was not found at ${appBinary}`, {
    hint: 'On macOS and Windows the command line works through the app: reinstall Keytray, then run Install command line tool again.',
  });
}
