import * as fs from 'node:fs';
import * as path from 'node:path';
import { AwsConfig } from '../../core/config/awsConfig';
import { readConfigFile, writeFileAtomically } from '../../core/config/configFileWriter';
import { IniDocument } from '../../core/config/iniDocument';
import { applySetup, undoSetup } from '../../core/config/profileSetup';
import { KeytrayError } from '../../core/errors';
import { getVault } from '../cliContext';

/** Wires a profile to `credential_process` (SPEC §1), or with --undo restores it. */
export function setupCommand(profile: string, options: { undo?: boolean }): void {
  const vault = getVault();
  const file = vault.paths.configFile;
  const { text, fingerprint } = readConfigFile(file);
  const config = AwsConfig.fromText(text, file);
  config.profile(profile); // a clear error for an unknown profile
  const doc = IniDocument.parse(text, file);
  if (options.undo) undoSetup(doc, profile);
  else applySetup(doc, profile, credentialProcessCommandLine(profile));
  const changed = doc.toString() !== text;
  if (changed) writeFileAtomically(file, doc.toString(), fingerprint);
  const what = options.undo ? 'restored to its own settings' : 'now served by Keytray through credential_process';
  process.stdout.write(`Profile "${profile}" is ${what}${changed ? '' : ' (no change needed)'} in ${file}.\n`);
}

/**
 * The command line written into the config. The AWS CLI splits it with shlex (POSIX rules) and runs
 * it without a shell; the JS SDK runs it through one (/bin/sh, or cmd.exe on Windows). So the path
 * is double-quoted when it has spaces: that one form means the same to all three.
 */
export function credentialProcessCommandLine(profile: string): string {
  return `${quoteForCredentialProcess(launcherPath())} credential-process ${quoteForCredentialProcess(profile)}`;
}

export function launcherPath(): string {
  const fromEnv = process.env.KEYTRAY_LAUNCHER;
  if (fromEnv) return path.resolve(fromEnv);
  const script = process.argv[1];
  if (!script) throw new KeytrayError('io', 'Cannot tell where the keytray launcher is', { hint: 'Set KEYTRAY_LAUNCHER to its absolute path.' });
  return fs.realpathSync(path.resolve(script));
}

/**
 * Inside double quotes, shlex and /bin/sh still treat \ $ and ` specially, and cmd.exe expands %VAR%
 * and !VAR!; a path with any of them (or a quote, or a control character) would run differently
 * under the AWS CLI and the JS SDK, so it is refused. Windows paths need their backslashes, and
 * there neither the AWS CLI's Windows split nor cmd.exe treats one before a letter specially.
 */
export function quoteForCredentialProcess(arg: string, platform: NodeJS.Platform = process.platform): string {
  if (/^[\w@+=:,./-]+$/.test(arg)) return arg;
  const unsafe = platform === 'win32' ? /["%!\x00-\x1f]/ : /["\\$`%!\x00-\x1f]/;
  if (unsafe.test(arg)) {
    throw new KeytrayError('usage', `Cannot write "${arg}" into credential_process safely`, {
      hint: 'Install Keytray to a path without quotes, backslashes, $, `, % or !.',
    });
  }
  return `"${arg}"`;
}
