import { asKeytrayError } from '../core/errors';

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
