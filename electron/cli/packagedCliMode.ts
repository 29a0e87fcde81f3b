/**
 * CLI mode of the packaged app. The `keytray` launcher starts the app binary as
 * `<binary> --keytray-cli -- ARGS…`; the main process calls `startCliModeIfRequested(process.argv)`
 * before anything else, and when it returns true, runs the command line instead of the app: no
 * single-instance lock (the CLI must work while the app runs), no window, no tray.
 *
 * This is how the CLI ships without the RunAsNode fuse: the binary only ever runs its own code.
 * Electron-free, so the same path runs under plain Node in the tests.
 */
import { CLI_MODE_FLAG, INSTALL_CLI_FLAG } from '../core/install/cliModeFlags';

/** The CLI's arguments when argv asks for CLI mode, else null. A `--` after the flag is dropped. */
export function cliModeArgs(argv: readonly string[]): string[] | null {
  const at = argv.indexOf(CLI_MODE_FLAG);
  // `Keytray --install-cli` (e.g. from a terminal after installing the app) is the CLI's install-cli.
  if (at < 0) return argv.includes(INSTALL_CLI_FLAG) ? ['install-cli'] : null;
  // The launcher puts `--` after the flag so that Chromium stops looking for its own switches.
  const start = argv[at + 1] === '--' ? at + 2 : at + 1;
  return argv.slice(start);
}

/**
 * Runs the CLI when argv asks for it and returns true; returns false otherwise, and the app starts.
 * Electron's main process does not end when its work is done, so CLI mode exits explicitly once
 * the command has finished and stdout has drained. Commands that live on (`exec`, `agent`) exit
 * on their own and never resolve.
 */
export function startCliModeIfRequested(argv: readonly string[] = process.argv, exit: (code: number) => void = (code) => process.exit(code)): boolean {
  const args = cliModeArgs(argv);
  if (args === null) return false;
  // argv[1] of an app binary is not a script: the launcher that started CLI mode stands in for it,
  // so the CLI's own command line (shown to the agent as the requester) reads as `keytray …`.
  process.argv = [process.execPath, process.env.KEYTRAY_LAUNCHER ?? '', ...args];
  runCli(args).then(
    () => process.stdout.write('', () => exit(typeof process.exitCode === 'number' ? process.exitCode : 0)),
    (err: unknown) => {
      process.stderr.write(`keytray: ${err instanceof Error ? err.message.split('\n')[0] : 'unexpected failure'}\n`);
      exit(1);
    },
  );
  return true;
}

/**
 * The CLI's own entry, from its one-file bundle (the same one bin/keytray.js runs), so a
 * credential_process cache hit costs the packaged app no more than the checkout. Required lazily so
 * the desktop app's start never pays for the CLI.
 */
function runCli(args: string[]): Promise<void> {
  const { runKeytray } = require('./entry.bundle.js') as typeof import('./entry');
  return runKeytray(args);
}
