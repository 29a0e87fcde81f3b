import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeytrayError } from '../errors';

/**
 * Opening a URL in the user's browser, the way `xdg-open` and Python's `webbrowser` do: `BROWSER`
 * first (a `:`-separated list of commands, `;` on Windows, `%s` standing for the URL, else the URL appended),
 * then the platform's opener. Tests set BROWSER to a script that plays the person at the browser.
 *
 * The URL ends up in a child's argv, which any local user can read while it runs: pass only URLs
 * that carry no secret (an authorize URL with a PKCE challenge and a state is fine; a console
 * sign-in token is not: see console/browserLauncher.ts for that case).
 */

export interface BrowserEnvironment {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Whether a BROWSER entry with spaces names a program file as a whole; the file system by default. */
  isProgramFile?: (entry: string) => boolean;
}

/** Opens `url`; resolves once an opener accepted it, rejects with one line when none could. */
export type UrlOpener = (url: string) => Promise<void>;

/** The platform's "open with the default application" command, run without a shell. */
export function platformOpenCommand(platform: NodeJS.Platform = process.platform): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [] };
  // rundll32 opens a URL without a shell; `cmd /c start` would parse & and ^ in it.
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler'] };
  return { command: 'xdg-open', args: [] };
}

/**
 * The commands to try, in order: each BROWSER entry, else the platform opener. Entries are split on
 * the platform's path separator (`:`, or `;` on Windows, where `C:\` holds a colon), as Python's
 * `webbrowser` does. An entry is split into words as xdg-open does, unless the whole entry names a
 * program file, which Python's `webbrowser` allows: a browser under a path with spaces
 * (`/Applications/Google Chrome.app/Contents/MacOS/Google Chrome`) needs no quoting.
 */
export function openerCommands(url: string, options: BrowserEnvironment = {}): Array<{ command: string; args: string[] }> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const isProgramFile = options.isProgramFile ?? programFileExists;
  const fromEnv = (env.BROWSER ?? '')
    .split(platform === 'win32' ? ';' : ':')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      if (/\s/.test(entry) && isProgramFile(entry)) return { command: entry, args: [url] };
      // Split on whitespace, no shell: BROWSER comes from the environment, the URL must not be able
      // to turn into shell syntax.
      const words = entry.split(/\s+/);
      const args = words.slice(1);
      const withUrl = args.some((a) => a.includes('%s')) ? args.map((a) => a.replace(/%s/g, url)) : [...args, url];
      return { command: words[0], args: withUrl };
    });
  if (fromEnv.length > 0) return fromEnv;
  const { command, args } = platformOpenCommand(platform);
  return [{ command, args: [...args, url] }];
}

function programFileExists(file: string): boolean {
  try {
    return path.isAbsolute(file) && fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Whether a browser can be expected to open here. Over SSH the browser would open on the remote
 * machine, and a Linux session with neither X11 nor Wayland has none; an explicit BROWSER wins.
 * Callers fall back to a flow that needs no local browser (device authorization).
 */
export function canOpenBrowser(options: BrowserEnvironment = {}): boolean {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  if (env.BROWSER) return true;
  if (env.SSH_CONNECTION || env.SSH_TTY || env.SSH_CLIENT) return false;
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return !!(env.DISPLAY || env.WAYLAND_DISPLAY);
  return true;
}

export function systemUrlOpener(options: BrowserEnvironment = {}): UrlOpener {
  return async (url) => {
    const failures: string[] = [];
    for (const { command, args } of openerCommands(url, options)) {
      const why = await runOpener(command, args, options.env ?? process.env);
      if (why === null) return;
      failures.push(why);
    }
    throw new KeytrayError('io', `Could not open a browser (${failures.join('; ')})`, {
      hint: 'Set BROWSER to your browser command, or use --device-code to sign in from another device.',
    });
  };
}

/** null when the opener took the URL; otherwise why not. Bounded: an opener that never exits is not waited for. */
function runOpener(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true, env });
    } catch (err) {
      resolve(`${command}: ${(err as Error).message}`);
      return;
    }
    // xdg-open and open return once the browser has the URL; a browser started directly (BROWSER=firefox)
    // keeps running, and that counts as opened.
    const timer = setTimeout(() => resolve(null), 5000);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code === 'ENOENT' ? `${command} not found` : `${command}: ${err.message}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 || code === null ? null : `${command} exited with status ${code}`);
    });
    child.unref();
  });
}
