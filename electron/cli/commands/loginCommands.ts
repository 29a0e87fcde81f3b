import { KeytrayError } from '../../core/errors';
import { launcherForCredentialProcess } from '../../core/install/installCli';
import { systemUrlOpener } from '../../core/browserSignin';
import { importLoginSessions, scanLoginCache } from '../../core/login/loginCacheImport';
import { loginProfile, logoutProfile } from '../../core/login/loginActions';
import { DEFAULT_SIGNIN_TIMEOUT_MS } from '../../core/login/loginSignIn';
import { LOGIN_SESSION_MS } from '../../core/login/signinProtocol';
import type { Vault } from '../../core/vault';
import { getVault } from '../cliContext';
import { openTerminal } from '../terminal';

export interface LoginOptions {
  region?: string;
  remote?: boolean;
  timeout?: string;
}

/**
 * `keytray login PROFILE`: sign in with AWS Sign-In in the browser, keep the session in the
 * keychain, and write the profile so the AWS CLI and SDKs get its credentials from Keytray.
 */
export async function loginCommand(profile: string, options: LoginOptions): Promise<void> {
  const vault = getVault();
  const timeoutMs = parseTimeout(options.timeout);
  const { region, session, wired } = await loginProfile(vault, {
    profile,
    region: options.region,
    remote: !!options.remote,
    timeoutMs,
    openBrowser: systemUrlOpener({ env: vault.env }),
    tell: (line) => process.stderr.write(`${line}\n`),
    readPastedCode,
    launcher: launcherForCredentialProcess,
  });
  const ends = new Date(session.signedInAt! + LOGIN_SESSION_MS).toISOString().slice(11, 16);
  process.stdout.write(
    `Signed in to profile "${profile}" as ${session.loginSession} (${region}); the session refreshes until ${ends} UTC.` +
      (wired.created ? ` Added [profile ${profile}] to ${vault.paths.configFile}.` : wired.changed ? ` Profile "${profile}" in ${vault.paths.configFile} is now served by Keytray.` : '') +
      (wired.replacedPrincipal ? ` It named ${wired.replacedPrincipal} before.` : '') +
      '\n',
  );
}

/** `keytray logout PROFILE`: forget the session's key, refresh token and credentials, and the role sessions made from them. */
export async function logoutCommand(profile: string): Promise<void> {
  const { hadSession, clearedSessions: cleared } = await logoutProfile(getVault(), profile);
  process.stdout.write(
    hadSession
      ? `Signed out profile "${profile}": its sign-in key, refresh token and credentials are gone from the keychain${cleared.length ? `, with the sessions of ${cleared.join(', ')}` : ''}.\n`
      : `Profile "${profile}" was not signed in; nothing to forget.\n`,
  );
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SIGNIN_TIMEOUT_MS;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new KeytrayError('usage', `--timeout ${value} is not a number of seconds between 1 and 3600`);
  }
  return seconds * 1000;
}

/** The pasted code comes from the terminal; without one (a pipe, a script) from stdin's first line. */
async function readPastedCode(prompt: string): Promise<string> {
  const terminal = openTerminal();
  if (terminal) {
    try {
      return await terminal.ask(prompt);
    } finally {
      terminal.close();
    }
  }
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0) finish(text.slice(0, nl));
    };
    const finish = (line: string | undefined) => {
      process.stdin.off('data', onData).off('end', onEnd).off('error', reject);
      process.stdin.pause();
      // A pipe echoes nothing, so the line after the prompt would start right after it.
      if (!process.stdin.isTTY) process.stderr.write('\n');
      if (line === undefined) reject(new KeytrayError('mfa-cancelled', 'No code was pasted (stdin ended)', { hint: 'Run `keytray login PROFILE --remote` from a terminal.' }));
      else resolve(line);
    };
    const onEnd = () => finish(text.length > 0 ? text : undefined);
    process.stdin.on('data', onData).on('end', onEnd).on('error', reject);
    process.stdin.resume();
  });
}

/**
 * `keytray import`'s part for `aws login` sessions: moves every session in the AWS CLI's login
 * cache that a profile names into the keychain, wires that profile and deletes the plaintext file.
 */
export async function importLoginCacheCommand(vault: Vault): Promise<void> {
  const entries = scanLoginCache(vault.loadConfig(), vault.env);
  if (entries.length === 0) return;
  const launcher = entries.some((e) => e.session) ? launcherForCredentialProcess() : '';
  for (const { profile, file } of await importLoginSessions(vault, entries, launcher)) {
    process.stdout.write(`Moved the aws login session of profile "${profile}" into the keychain and deleted ${file}.\n`);
  }
  for (const e of entries) {
    if (e.problem) process.stdout.write(`Left ${e.file}: ${e.problem}.\n`);
    for (const other of e.alsoNamedBy) {
      process.stdout.write(`Profile "${other}" names the same session as "${e.profile}"; one session refreshes for one profile, so point ${other}'s source_profile at ${e.profile} or sign it in with \`keytray login ${other}\`.\n`);
    }
  }
}
