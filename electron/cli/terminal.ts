import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { KeytrayError } from '../core/errors';
import type { MfaCodeSource } from '../core/mfa/mfaCodeSources';

/**
 * Prompts on the controlling terminal, opened as /dev/tty. The AWS CLI pipes a credential_process
 * helper's stdout and stderr, so a prompt written there would be invisible (aws-vault #605, #1204);
 * the terminal device itself still reaches the user.
 */
export interface Terminal {
  ask(prompt: string, options?: { hidden?: boolean }): Promise<string>;
  say(line: string): void;
  close(): void;
}

/** Opens the controlling terminal, or returns null when the process has none (CI, a GUI, a daemon). */
export function openTerminal(): Terminal | null {
  if (process.platform === 'win32') return openWindowsConsole();
  let fd: number;
  try {
    fd = fs.openSync('/dev/tty', 'r+');
  } catch {
    return null;
  }
  if (!tty.isatty(fd)) {
    fs.closeSync(fd);
    return null;
  }
  const input = new tty.ReadStream(fd);
  const output = new tty.WriteStream(fd);
  return {
    say: (line) => output.write(`${line}\n`),
    ask: (prompt, options = {}) => readLine(input, output, prompt, !!options.hidden),
    close: () => {
      input.destroy();
      // Both streams share the fd; destroying the reader closes it.
    },
  };
}

function openWindowsConsole(): Terminal | null {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return null;
  const input = process.stdin as tty.ReadStream;
  const output = process.stderr as tty.WriteStream;
  return {
    say: (line) => output.write(`${line}\n`),
    ask: (prompt, options = {}) => readLine(input, output, prompt, !!options.hidden),
    close: () => input.pause(),
  };
}

/** Reads one line in raw mode so hidden input is never echoed; Ctrl-C and Ctrl-D cancel. */
function readLine(input: tty.ReadStream, output: tty.WriteStream, prompt: string, hidden: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    let value = '';
    input.setRawMode(true);
    input.setEncoding('utf8');
    const finish = (err?: Error) => {
      input.setRawMode(false);
      input.removeListener('data', onData);
      input.pause();
      output.write('\r\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') {
          return finish(new KeytrayError('mfa-cancelled', 'Input was cancelled at the terminal'));
        }
        if (ch === '\u007f' || ch === '\b') {
          if (value.length > 0) {
            value = value.slice(0, -1);
            if (!hidden) output.write('\b \b');
          }
          continue;
        }
        if (ch < ' ') continue;
        value += ch;
        if (!hidden) output.write(ch);
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

/** The last MFA source: ask on the terminal, naming the profile and the device. */
export function terminalMfaSource(): MfaCodeSource {
  return async (request) => {
    const terminal = openTerminal();
    if (!terminal) return null;
    try {
      return (await terminal.ask(`Keytray: MFA code for profile "${request.profile}" (${request.serial}): `)).trim();
    } finally {
      terminal.close();
    }
  };
}
