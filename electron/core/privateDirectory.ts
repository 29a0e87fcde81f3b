import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeytrayError } from './errors';

/**
 * Makes sure one of Keytray's own directories (the data directory, its locks, its agent folder)
 * exists and can be written, creating what is missing with mode 0700 one level at a time.
 *
 * Not mkdirSync's recursive mode: on a path under /proc it never returns (Node retries the parent
 * on every ENOENT), and a mistyped KEYTRAY_HOME must give one line, not a hung `aws` call.
 */
export function ensurePrivateDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; ) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(at);
    } catch (err) {
      // ENOTDIR: a file somewhere above; walking on up finds it and names it.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw unusable(dir, `cannot read ${at}: ${code ?? err}`);
    }
    if (stat) {
      if (!stat.isDirectory()) throw unusable(dir, `${at} is a file, not a directory`);
      break;
    }
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      // Another process creating it at the same moment is fine.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw unusable(dir, `cannot create ${d}: ${code ?? err}`);
    }
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw unusable(dir, `it is not writable: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

function unusable(dir: string, why: string): KeytrayError {
  return new KeytrayError('io', `Keytray cannot write its data directory ${dir} (${why})`, {
    hint: 'Point KEYTRAY_HOME at a directory you can write, or unset it to use the default, or fix that path.',
  });
}
