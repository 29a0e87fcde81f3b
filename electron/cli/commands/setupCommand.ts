import * as path from 'node:path';
import { setProfileServedByKeytray } from '../../core/config/credentialProcessSetup';
import { KeytrayError } from '../../core/errors';
import { cliPaths } from '../cliContext';

/** Wires a profile to `credential_process` (SPEC §1), or with --undo restores it. */
export function setupCommand(profile: string, options: { undo?: boolean }): void {
  const file = cliPaths().configFile;
  const { changed } = setProfileServedByKeytray(file, profile, !options.undo, launcherPath());
  const what = options.undo ? 'restored to its own settings' : 'now served by Keytray through credential_process';
  process.stdout.write(`Profile "${profile}" is ${what}${changed ? '' : ' (no change needed)'} in ${file}.\n`);
}

/** This command's own launcher: the installed one (KEYTRAY_LAUNCHER, set by it) or the script run. */
export function launcherPath(): string {
  const fromEnv = process.env.KEYTRAY_LAUNCHER;
  if (fromEnv) return path.resolve(fromEnv);
  const script = process.argv[1];
  if (!script) throw new KeytrayError('io', 'Cannot tell where the keytray launcher is', { hint: 'Set KEYTRAY_LAUNCHER to its absolute path.' });
  // Not resolved through symlinks: bin/keytray.js (or an npm-linked `keytray`) is the stable name;
  // what it points at is a build artifact.
  return path.resolve(script);
}
