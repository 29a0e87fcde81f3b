import { MAX_SESSION_SECONDS, MIN_DURATION_SECONDS } from '../core/config/validation';
import { KeytrayError } from '../core/errors';
import { mfaCodeProvider, mfaProcessSource, optionCodeSource } from '../core/mfa/mfaCodeSources';
import { resolvePaths, type KeytrayPaths } from '../core/paths';
import type { RequestContext } from '../core/sessions/sessionEngine';
import { readActiveProfile } from '../core/settings';
import type { SignInPresenter } from '../core/sso/ssoSignin';
import { createVault, type Vault, type VaultOptions } from '../core/vault';
import { openTerminal, terminalMfaSource } from './terminal';

/** Options shared by every command that needs credentials (docs/architecture.md, Command line). */
export interface CredentialOptions {
  mfaCode?: string;
  duration?: string;
  session?: boolean; // commander turns --no-session into session: false
  region?: string;
  active?: boolean;
}

let vault: Vault | undefined;

/** The first call builds the vault: a command that signs in passes how to talk to the user then. */
export function getVault(options: Pick<VaultOptions, 'ssoPresenter' | 'ssoSignInTimeoutMs'> = {}): Vault {
  vault ??= createVault({ ssoPresenter: terminalSignInPresenter, ...options });
  return vault;
}

/**
 * Where a serving command (credential-process under the AWS CLI, env, exec) says that it opened a
 * sign-in page: the controlling terminal, since the AWS CLI captures stderr. Without one the browser
 * page speaks for itself.
 */
const terminalSignInPresenter: SignInPresenter = {
  begin: (session) => ({
    browserOpening: () => sayOnTerminal(`keytray: sign in to IAM Identity Center${session.name ? ` session "${session.name}"` : ''} in the browser window that just opened.`),
    deviceCode: (info) => sayOnTerminal(`keytray: open ${info.verificationUri} and enter the code ${info.userCode} to sign in.`),
    end: () => undefined,
  }),
};

function sayOnTerminal(line: string): void {
  const terminal = openTerminal();
  if (!terminal) return;
  terminal.say(line);
  terminal.close();
}

/** Where files live, without building a vault: commands an agent serves never touch the keychain. */
export function cliPaths(): KeytrayPaths {
  return vault?.paths ?? resolvePaths();
}

/**
 * Where the CLI gets MFA codes when it does the work itself, in the order docs/architecture.md (Sessions) gives: --mfa-code, the
 * profile's mfa_process, then the controlling terminal (a running agent was asked first).
 */
export function cliRequestContext(options: CredentialOptions): RequestContext {
  return {
    mfa: mfaCodeProvider([optionCodeSource(options.mfaCode), mfaProcessSource, terminalMfaSource()]),
    requester: { pid: process.pid, command: process.argv.slice(1).join(' ') },
  };
}

/** The profile a command acts on: the argument, or with --active the tray's active profile. */
export function profileArgument(profile: string | undefined, options: { active?: boolean }): string {
  if (options.active) {
    if (profile) throw new KeytrayError('usage', 'Give either a profile or --active, not both');
    const active = readActiveProfile(cliPaths().dataDir);
    if (!active) {
      throw new KeytrayError('usage', 'No profile is active', {
        hint: 'Make one active from the Keytray tray menu, or name the profile instead of --active.',
      });
    }
    return active;
  }
  if (!profile) throw new KeytrayError('usage', 'Missing PROFILE', { hint: 'Name a profile, or pass --active.' });
  return profile;
}

export function parseDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)([smh]?)$/.exec(value.trim());
  const seconds = m ? Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as const)[m[2] as '' | 's' | 'm' | 'h'] : NaN;
  if (!Number.isInteger(seconds) || seconds < MIN_DURATION_SECONDS || seconds > MAX_SESSION_SECONDS) {
    throw new KeytrayError('usage', `--duration ${value} is not a valid session duration`, {
      hint: `Give seconds between ${MIN_DURATION_SECONDS} and ${MAX_SESSION_SECONDS} (or e.g. 1h, 90m).`,
    });
  }
  return seconds;
}
