import { canOpenBrowser } from '../../core/browserSignin';
import { launcherForCredentialProcess } from '../../core/install/installCli';
import { KeytrayError } from '../../core/errors';
import { ssoSessionForCommand, type SsoSessionConfig } from '../../core/sso/ssoConfig';
import { populateSsoSession, signInToSsoSession, signOutOfSsoSession, ssoSessionsToSignOut } from '../../core/sso/ssoSessionActions';
import type { SignInPresenter } from '../../core/sso/ssoSignin';
import { getVault } from '../cliContext';
import { formatLeft } from './listCommand';

/**
 * `keytray sso login | logout | populate`. What the user must do (open a page, compare a code) goes
 * to stderr, so stdout carries only the result.
 */

export const stderrPresenter: SignInPresenter = {
  begin: (session) => ({
    browserOpening: (url) => {
      process.stderr.write(`keytray: opening the IAM Identity Center sign-in page for ${label(session)} in your browser. If it does not open, visit:\n  ${url}\n`);
    },
    // The address is on the terminal already: the person can open it in any browser, so the wait goes on.
    browserFailed: (why) => {
      process.stderr.write(`keytray: ${why}; open the address above in a browser to go on.\n`);
      return true;
    },
    deviceCode: (info) => {
      const minutes = Math.max(1, Math.round((info.expiresAt - Date.now()) / 60_000));
      process.stderr.write(
        `keytray: to sign in to ${label(session)}, open ${info.verificationUri} and enter the code ${info.userCode}` +
          `${info.verificationUriComplete ? ` (or open ${info.verificationUriComplete})` : ''}. Waiting up to ${minutes} min.\n`,
      );
    },
    // Ctrl-C ends the process; nothing else at a terminal cancels a sign-in.
    end: () => undefined,
  }),
};

function label(session: SsoSessionConfig): string {
  return session.name ? `"${session.name}"` : session.startUrl;
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new KeytrayError('usage', `--timeout ${value} is not a number of seconds between 1 and 3600`, { hint: 'For example --timeout 120.' });
  }
  return seconds * 1000;
}

export async function ssoLoginCommand(sessionArg: string | undefined, options: { profile?: string; deviceCode?: boolean; timeout?: string }): Promise<void> {
  const vault = getVault({ ssoPresenter: stderrPresenter, ssoSignInTimeoutMs: parseTimeout(options.timeout) });
  const session = ssoSessionForCommand(vault.loadConfig(), { session: sessionArg, profile: options.profile });
  // Over SSH or without a display a browser on this machine helps nobody: the device code works from any device.
  const flow = options.deviceCode || !canOpenBrowser({ env: vault.env }) ? 'device_code' : 'authorization_code';
  const token = await signInToSsoSession(vault, session, flow);
  const left = formatLeft(Math.floor((token.expiresAt - vault.clock.now()) / 1000));
  const renew = token.refreshToken ? 'Keytray renews it by itself' : 'sign in again when it ends';
  process.stdout.write(`Signed in to IAM Identity Center ${label(session)} for ${left}; ${renew}.\n`);
}

export async function ssoLogoutCommand(sessionArg: string | undefined): Promise<void> {
  const vault = getVault();
  const done: string[] = [];
  for (const session of ssoSessionsToSignOut(vault.loadConfig(), sessionArg)) {
    const { hadToken, clearedProfiles } = await signOutOfSsoSession(vault, session);
    if (hadToken || clearedProfiles.length > 0) done.push(label(session));
  }
  process.stdout.write(done.length > 0 ? `Signed out of IAM Identity Center ${done.join(', ')}; its tokens and role credentials are gone from the keychain.\n` : 'No IAM Identity Center sign-in to end.\n');
}

export async function ssoPopulateCommand(sessionName: string, options: { prefix?: string; dryRun?: boolean; prune?: boolean }): Promise<void> {
  const vault = getVault({ ssoPresenter: stderrPresenter });
  const { plan, configFile } = await populateSsoSession(vault, sessionName, {
    prefix: options.prefix,
    dryRun: options.dryRun,
    prune: options.prune,
    allowSignIn: canOpenBrowser({ env: vault.env }),
    launcher: launcherForCredentialProcess,
  });
  const out: string[] = [];
  for (const a of plan.add) out.push(`${options.dryRun ? 'would add' : 'added'}  ${a.profile}  (${a.accountName} ${a.accountId}, ${a.roleName})`);
  for (const a of plan.nameTaken) out.push(`skipped    ${a.profile}  (${a.accountName} ${a.accountId}, ${a.roleName}): a different profile has that name; use --prefix`);
  for (const g of plan.gone) {
    const verb = options.prune ? (options.dryRun ? 'would remove' : 'removed') : 'gone';
    out.push(`${verb}  ${g.profile}  (account ${g.accountId}, ${g.roleName} is no longer assigned${options.prune ? '' : '; --prune removes it'})`);
  }
  const summary = `${plan.kept.length} profile${plan.kept.length === 1 ? '' : 's'} already up to date in ${configFile}.`;
  process.stdout.write(`${[...out, out.length === 0 ? `No changes: ${summary}` : summary].join('\n')}\n`);
}
