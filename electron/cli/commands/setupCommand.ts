import { setProfileServedByKeytray } from '../../core/config/credentialProcessSetup';
import { launcherForCredentialProcess } from '../../core/install/installCli';
import { cliPaths } from '../cliContext';

/** Wires a profile to `credential_process`, or with --undo restores it. */
export function setupCommand(profile: string, options: { undo?: boolean }): void {
  const file = cliPaths().configFile;
  const { changed } = setProfileServedByKeytray(file, profile, !options.undo, launcherForCredentialProcess());
  const what = options.undo ? 'restored to its own settings' : 'now served by Keytray through credential_process';
  process.stdout.write(`Profile "${profile}" is ${what}${changed ? '' : ' (no change needed)'} in ${file}.\n`);
}

