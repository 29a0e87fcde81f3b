import { assertValidProfileName } from '../config/profileSetup';
import { KeytrayError } from '../errors';
import type { StoredLoginSession } from '../keychain/vaultStore';
import { clearSessionsBuiltOn } from '../keys/longTermKeys';
import { regionFor } from '../sts/endpoints';
import type { Vault } from '../vault';
import { assertCanServeLogin, wireLoginProfile, type WiredLoginProfile } from './loginProfile';
import { signInWithAws, type SignInOptions } from './loginSignIn';

/**
 * `keytray login` and `keytray logout` as use cases, shared by the CLI and the app's window and
 * tray: the checks before the browser, the region, the sign-in, the session kept in the keychain,
 * the role sessions of the previous sign-in dropped, and the profile wired to Keytray.
 */

export interface LoginRequest extends Pick<SignInOptions, 'remote' | 'timeoutMs' | 'openBrowser' | 'tell' | 'readPastedCode' | 'signal'> {
  profile: string;
  /** `--region`; otherwise the profile's region, then the environment's, as the AWS CLI picks one. */
  region?: string;
  /** The launcher credential_process lines name; asked once the sign-in worked. */
  launcher: () => string;
}

export interface LoginOutcome {
  profile: string;
  region: string;
  session: StoredLoginSession;
  wired: WiredLoginProfile;
  /** Sessions built on the previous sign-in, which belonged to whoever signed in then. */
  clearedSessions: string[];
}

export async function loginProfile(vault: Vault, request: LoginRequest): Promise<LoginOutcome> {
  const { profile } = request;
  const config = vault.loadConfig();
  assertValidProfileName(profile);
  // Before the browser: a profile that cannot become a sign-in profile would waste the sign-in.
  assertCanServeLogin(config, profile);
  const region = request.region || regionFor(config.has(profile) ? config.profile(profile).region : undefined, vault.env);
  const session = await signInWithAws({
    profile,
    region,
    env: vault.env,
    clock: vault.clock,
    remote: request.remote,
    timeoutMs: request.timeoutMs,
    openBrowser: request.openBrowser,
    tell: request.tell,
    readPastedCode: request.readPastedCode,
    signal: request.signal,
  });
  const launcher = request.launcher();
  await vault.logins.remember(profile, session);
  const clearedSessions = clearSessionsBuiltOn(vault, profile);
  const wired = wireLoginProfile(vault.paths.configFile, profile, session.loginSession, region, launcher);
  return { profile, region, session, wired, clearedSessions };
}

export interface LogoutOutcome {
  profile: string;
  hadSession: boolean;
  clearedSessions: string[];
}

/** Forgets the session's key, refresh token and credentials, and the role sessions made from them. */
export async function logoutProfile(vault: Vault, profile: string): Promise<LogoutOutcome> {
  const config = vault.loadConfig();
  const hadSession = await vault.logins.forget(profile);
  if (!hadSession && !config.has(profile)) {
    throw new KeytrayError('unknown-profile', `Profile "${profile}" is not in ${vault.paths.configFile} and is not signed in`, {
      profile,
      hint: 'See `keytray list`.',
    });
  }
  return { profile, hadSession, clearedSessions: clearSessionsBuiltOn(vault, profile) };
}
