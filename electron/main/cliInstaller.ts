import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeytrayError } from '../core/errors';

/**
 * "Install the command-line tool": a `keytray` link in a directory on the user's PATH, without
 * root. ~/.local/bin is on PATH by default on current Debian, Ubuntu and Fedora, and is the
 * XDG place for user executables; macOS users add it once.
 */
export function installCliLink(launcherPath: string, binDir: string, platform: NodeJS.Platform = process.platform): { path: string; message: string } {
  if (platform === 'win32') {
    throw new KeytrayError('usage', 'Installing the command-line tool from the app is not supported on Windows yet', {
      hint: `Add ${path.dirname(launcherPath)} to PATH.`,
    });
  }
  const link = path.join(binDir, 'keytray');
  fs.mkdirSync(binDir, { recursive: true });
  let existing: string | null = null;
  try {
    existing = fs.readlinkSync(link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') {
      throw new KeytrayError('io', `${link} exists and is not a link Keytray made`, { hint: 'Remove it first if you want Keytray to install its own.' });
    }
  }
  if (existing !== launcherPath) {
    if (existing !== null) fs.rmSync(link);
    fs.symlinkSync(launcherPath, link);
  }
  const onPath = (process.env.PATH ?? '').split(path.delimiter).includes(binDir);
  return {
    path: link,
    message: onPath ? `Installed ${link}; run \`keytray list\` in a new terminal.` : `Installed ${link}; add ${binDir} to your PATH to run \`keytray\`.`,
  };
}
