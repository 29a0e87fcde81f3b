import { KeytrayError } from '../errors';
import { AwsConfig } from './awsConfig';
import { applySetup, undoSetup } from './profileSetup';

/**
 * `keytray setup` and the app's per-profile toggle: serve a profile through
 * credential_process, or restore it. One implementation so the CLI and the app write the same line.
 */
export function setProfileServedByKeytray(
  configFile: string,
  profile: string,
  served: boolean,
  launcher: string,
): { changed: boolean; managedByKeytray: boolean } {
  const command = credentialProcessLine(launcher, profile);
  const { result: managedByKeytray, changed } = AwsConfig.edit(configFile, (config) => {
    config.profile(profile); // a clear error for an unknown profile
    if (served) applySetup(config.document, profile, command);
    else undoSetup(config.document, profile, command);
    // AwsConfig reads the edited document, so this is the profile as it is now written.
    return config.profile(profile).managedByKeytray;
  });
  return { changed, managedByKeytray };
}

/**
 * The command line written into the config. The AWS CLI splits it with shlex (POSIX rules) and runs
 * it without a shell; the JS SDK runs it through one (/bin/sh, or cmd.exe on Windows). So the path
 * is double-quoted when it has spaces: that one form means the same to all three.
 */
export function credentialProcessLine(launcher: string, profile: string, platform: NodeJS.Platform = process.platform): string {
  return `${quoteForCredentialProcess(launcher, platform)} credential-process ${quoteForCredentialProcess(profile, platform)}`;
}

/**
 * Inside double quotes, shlex and /bin/sh still treat \ $ and ` specially, and cmd.exe expands %VAR%
 * and !VAR!; a path with any of them (or a quote, or a control character) would run differently
 * under the AWS CLI and the JS SDK, so it is refused. Windows paths need their backslashes, and
 * there neither the AWS CLI's Windows split nor cmd.exe treats one before a letter specially.
 */
export function quoteForCredentialProcess(arg: string, platform: NodeJS.Platform = process.platform): string {
  if (/^[\w@+=:,./-]+$/.test(arg)) return arg;
  // Control characters are exactly what must never reach a shell line, so the pattern names them.
  // eslint-disable-next-line no-control-regex
  const unsafe = platform === 'win32' ? /["%!\x00-\x1f]/ : /["\\$`%!\x00-\x1f]/;
  if (unsafe.test(arg)) {
    throw new KeytrayError('usage', `Cannot write "${arg}" into credential_process safely`, {
      hint: 'Install Keytray to a path without quotes, backslashes, $, `, % or !.',
    });
  }
  return `"${arg}"`;
}
