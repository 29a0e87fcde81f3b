import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { launchSystemBrowser } from '../console/browserLauncher';
import { KeytrayError } from '../errors';

/**
 * Opens a URL that carries no secret (a sign-in page) in the person's browser. `BROWSER` wins, as
 * for the AWS CLI (Python's webbrowser) and xdg-open: a list of commands separated like PATH, each
 * tried in turn; `%s` in one stands for the URL, else the URL is its last argument. The command is
 * run without a shell, and Keytray does not wait for the browser to exit.
 */
export async function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const browser = env.BROWSER?.trim();
  if (!browser) return launchSystemBrowser(url);
  const failures: string[] = [];
  for (const entry of browser.split(path.delimiter).map((e) => e.trim()).filter(Boolean)) {
    const words = splitCommand(entry);
    if (words.length === 0) continue;
    const args = words.some((w) => w.includes('%s')) ? words.map((w) => w.replace(/%s/g, url)) : [...words, url];
    try {
      await startDetached(args[0], args.slice(1), env);
      return;
    } catch (err) {
      failures.push(`${args[0]}: ${(err as Error).message}`);
    }
  }
  throw new KeytrayError('io', `Could not start the browser named in BROWSER (${failures.join('; ') || 'empty'})`, {
    hint: 'Fix BROWSER, or open the URL above yourself.',
  });
}

function startDetached(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true, env });
    child.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'ENOENT' ? 'not found' : err.message)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** Words of a command line with POSIX-style single and double quotes; no expansion of any kind. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]));
  return words;
}
