import { AwsConfig } from '../core/config/awsConfig';
import { KeytrayError } from '../core/errors';
import { buildProfileStatus, type ProfileStatus } from '../core/profileStatus';
import { homeDir } from '../core/paths';
import { loadSettings, readActiveProfile } from '../core/settings';
import { DEFAULT_ROLE_SECONDS } from '../core/sessions/sessionEngine';
import type { Vault } from '../core/vault';
import type { ProfileList, ProfileRow } from '../ipc/contract';
import type { ProfileUsage } from './profileUsage';
import { describeTimeLeft } from './sessionTimeLeft';

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
  const statuses = buildProfileStatus(config, vault.store.inventory(), now);
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const pinned = new Set(usage.pinned);
  const lastUsed = new Map(usage.recent.map((r) => [r.profile, r.at]));
  const userSessionSeconds = loadSettings(vault.paths.dataDir).mfaSessionSeconds;
  const profiles: ProfileRow[] = statuses.map((s) => ({
    ...s,
    group: rootSourceOf(s, byName),
    active: s.name === active,
    pinned: pinned.has(s.name),
    lastUsedAt: lastUsed.get(s.name),
    sessionSecondsTotal: s.sessionSecondsLeft === null ? undefined : Math.max(s.sessionSecondsLeft, nominalSessionSeconds(s, config, userSessionSeconds)),
    timeLeftText: describeTimeLeft(s.sessionSecondsLeft, 'no session'),
  }));
  return { profiles, active, configFile: underHomeAsTilde(vault.paths.configFile, homeDir(vault.env)), builtAt: now, configError };
}

/**
 * The user profile a role's chain ends at, walked over the statuses already built rather than
 * resolving each chain again (with 2,000 profiles that was most of the list's cost). A broken or
 * cyclic chain groups the role under its last reachable hop.
 */
function rootSourceOf(s: ProfileStatus, byName: Map<string, ProfileStatus>): string {
  let current = s;
  const seen = new Set<string>();
  while (current.kind === 'role' && current.sourceProfile && !seen.has(current.name)) {
    seen.add(current.name);
    const next = byName.get(current.sourceProfile);
    if (!next) break;
    current = next;
  }
  return current.name;
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
