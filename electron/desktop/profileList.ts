import { AwsConfig } from '../core/config/awsConfig';
import { loginSessionOf } from '../core/login/loginProfile';
import { SsoAccountNames } from '../core/sso/ssoAccountNames';
import { ssoSession, ssoSessionOfProfile } from '../core/sso/ssoConfig';
import { buildSsoSessionStatus } from '../core/sso/ssoSessionStatus';
import { KeytrayError } from '../core/errors';
import { buildProfileStatus, type ProfileStatus } from '../core/profileStatus';
import { homeDir } from '../core/paths';
import { loadSettings, readActiveProfile } from '../core/settings';
import { DEFAULT_ROLE_SECONDS } from '../core/sessions/sessionEngine';
import type { Vault } from '../core/vault';
import type { ProfileList, ProfileRow, SsoSessionRow } from '../ipc/contract';
import type { ProfileUsage } from './profileUsage';
import { describeSignInTimeLeft, describeSsoTimeLeft, describeTimeLeft } from './sessionTimeLeft';

/** The profile list with status, grouping and the active mark; the tray is built from it too. */
export function buildProfileList(vault: Vault, usage: ProfileUsage = { pinned: [], recent: [] }): ProfileList {
  const now = vault.clock.now();
  let config: AwsConfig;
  let configError: string | undefined;
  try {
    config = vault.loadConfig();
  } catch (err) {
    // Show what the keychain knows and say what is wrong with the file, rather than an empty window.
    configError = err instanceof KeytrayError ? err.toLine() : String(err);
    config = AwsConfig.fromText('', vault.paths.configFile);
  }
  const active = readActiveProfile(vault.paths.dataDir);
  const inventory = vault.store.inventory();
  const statuses = buildProfileStatus(config, inventory, now);
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const accountNames = new SsoAccountNames(vault.paths.dataDir).read();
  const pinned = new Set(usage.pinned);
  const lastUsed = new Map(usage.recent.map((r) => [r.profile, r.at]));
  const userSessionSeconds = loadSettings(vault.paths.dataDir).mfaSessionSeconds;
  const profiles: ProfileRow[] = statuses.map((s) => ({
    ...s,
    ...loginFacts(s, config, inventory.logins),
    ...(s.kind === 'sso' || s.kind === 'role' ? withAccountName(s.account, accountNames) : {}),
    group: groupOf(s, byName, accountNames),
    active: s.name === active,
    pinned: pinned.has(s.name),
    lastUsedAt: lastUsed.get(s.name),
    sessionSecondsTotal: s.sessionSecondsLeft === null ? undefined : Math.max(s.sessionSecondsLeft, nominalSessionSeconds(s, config, userSessionSeconds)),
    timeLeftText: describeTimeLeft(s.sessionSecondsLeft, 'no session'),
  }));
  const ssoSessions = buildSsoSessionRows(config, inventory.ssoTokens, now);
  return { profiles, active, configFile: underHomeAsTilde(vault.paths.configFile, homeDir(vault.env)), builtAt: now, configError, ssoSessions };
}

/** The config's sso-sessions with their sign-in state and the profiles that use each. */
function buildSsoSessionRows(config: AwsConfig, tokens: Parameters<typeof buildSsoSessionStatus>[1], now: number): SsoSessionRow[] {
  const statuses = buildSsoSessionStatus(config, tokens, now);
  if (statuses.length === 0) return [];
  // One pass over the profiles for every session, rather than one per session.
  const profilesOf = new Map<string, string[]>(statuses.map((s) => [s.name, []]));
  for (const name of config.profileNames()) {
    let p;
    try {
      p = config.profile(name);
    } catch {
      continue;
    }
    if (p.kind !== 'sso' || !p.ssoSession) continue;
    try {
      // A profile whose own sso_start_url contradicts its session cannot sign in through it.
      ssoSessionOfProfile(config, p);
    } catch {
      continue;
    }
    profilesOf.get(p.ssoSession)?.push(name);
  }
  return statuses.map((s) => ({
    name: s.name,
    startUrl: s.startUrl,
    region: s.region,
    secondsLeft: s.secondsLeft,
    renews: s.renews,
    timeLeftText: describeSsoTimeLeft(s.secondsLeft, s.renews),
    profiles: profilesOf.get(s.name) ?? [],
    problem: s.problem === undefined ? undefined : problemLine(config, s.name),
  }));
}

/** The section's problem as the one line a user reads, hint included. */
function problemLine(config: AwsConfig, name: string): string | undefined {
  try {
    ssoSession(config, name);
    return undefined;
  } catch (err) {
    return err instanceof KeytrayError ? err.toLine() : String(err);
  }
}

function withAccountName(account: string | undefined, names: Map<string, string>): { accountName?: string } {
  const name = account ? names.get(account) : undefined;
  return name ? { accountName: name } : {};
}

/** A login profile's principal (as the config names it, else as the keychain's sign-in does) and its 12-hour session. */
function loginFacts(s: ProfileStatus, config: AwsConfig, logins: Map<string, { loginSession: string }> | undefined): Pick<ProfileRow, 'loginPrincipal' | 'signInTimeLeftText'> {
  if (s.kind !== 'login') return {};
  const section = config.sectionOf(s.name);
  const principal = (section === undefined ? undefined : loginSessionOf(config.document, section)) ?? logins?.get(s.name)?.loginSession;
  // A session imported from the AWS CLI's cache may not say when it signed in: signed in, end unknown.
  const signedInUntold = logins?.has(s.name) && (s.signInSecondsLeft ?? null) === null;
  return { loginPrincipal: principal, signInTimeLeftText: signedInUntold ? 'signed in' : describeSignInTimeLeft(s.signInSecondsLeft ?? null) };
}

/**
 * User profiles group their roles under the user; IAM Identity Center profiles group by account
 * (its name once Keytray has seen it, else the account ID), and a role whose chain ends at an SSO
 * profile goes with that profile.
 */
function groupOf(s: ProfileStatus, byName: Map<string, ProfileStatus>, accountNames: Map<string, string>): string {
  const root = rootOf(s, byName);
  if (root.kind !== 'sso') return root.name;
  return (root.account && accountNames.get(root.account)) || root.account || root.name;
}

/**
 * The user profile a role's chain ends at, walked over the statuses already built rather than
 * resolving each chain again (with 2,000 profiles that was most of the list's cost). A broken or
 * cyclic chain groups the role under its last reachable hop.
 */
function rootOf(s: ProfileStatus, byName: Map<string, ProfileStatus>): ProfileStatus {
  let current = s;
  const seen = new Set<string>();
  while (current.kind === 'role' && current.sourceProfile && !seen.has(current.name)) {
    seen.add(current.name);
    const next = byName.get(current.sourceProfile);
    if (!next) break;
    current = next;
  }
  return current;
}

/** "~/.aws/config" rather than the full path: shorter in a narrow window, and the same on every machine. */
function underHomeAsTilde(file: string, home: string): string {
  return home && file.startsWith(`${home}/`) ? `~/${file.slice(home.length + 1)}` : file;
}

/** The length a new session of this profile gets: what the time-left bar measures against. */
function nominalSessionSeconds(s: ProfileStatus, config: AwsConfig, userSessionSeconds: number): number {
  if (s.kind === 'user') return userSessionSeconds;
  try {
    return config.profile(s.name).durationSeconds ?? DEFAULT_ROLE_SECONDS;
  } catch {
    return DEFAULT_ROLE_SECONDS;
  }
}
