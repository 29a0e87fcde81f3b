import { KeytrayError, asKeytrayError } from '../core/errors';

/**
 * The last line of defence of the packaged CLI mode, where Electron hosts the command line: an
 * error nothing caught would otherwise open Electron's "A JavaScript error occurred in the main
 * process" dialog and leave the process running, which is worse than useless under the AWS CLI.
 *
 * - A reader that stopped reading (`keytray list | head -1`) makes stdout fail with EPIPE. That is
 *   not the command's failure: the process ends at once and quietly, with the status the command
 *   had so far (0 unless it had already failed).
 * - Anything else prints one line on stderr and exits 1.
 */
export function guardCliProcess(proc: NodeJS.Process, exit: (code: number) => void): void {
  let ending = false;
  const end = (code: number) => {
    if (ending) return;
    ending = true;
    exit(code);
  };
  const fail = (err: unknown) => {
    if (isBrokenPipe(err)) return end(statusSoFar(proc));
    if (ending) return;
    try {
      proc.stderr.write(`keytray: ${asKeytrayError(err).toLine()}\n`);
    } catch {
      // stderr itself is gone: the exit status is all that is left to say it.
    }
    end(1);
  };
  proc.stdout.on('error', fail);
  proc.stderr.on('error', (err) => end(isBrokenPipe(err) ? statusSoFar(proc) : 1));
  proc.on('uncaughtException', fail);
  proc.on('unhandledRejection', fail);
}

function isBrokenPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

function statusSoFar(proc: NodeJS.Process): number {
  return typeof proc.exitCode === 'number' ? proc.exitCode : 0;
}

/**
 * On Windows, Electron gives its main process a `process.stdin` that is not the console: it only
 * ends. So the app binary's CLI mode can neither read `--stdin` nor prompt (prompts already fail
 * with "No terminal …" there, since that stdin is no TTY). `--stdin` would read an empty document
 * and blame the input; this says what is really wrong. The standalone CLI binary owns its stdin.
 */
export function unreadableStdinError(platform: NodeJS.Platform, args: readonly string[]): KeytrayError | null {
  if (platform !== 'win32' || !args.includes('--stdin')) return null;
  return new KeytrayError('usage', "The Keytray app's command-line mode cannot read stdin on Windows", {
    hint: 'Pass the key with --env (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or use the standalone keytray command.',
  });
}
