import type { AwsConfig } from './config/awsConfig';
import { KeytrayError, maskAccessKeyId } from './errors';
import type { StoredKey, VaultStore } from './keychain/vaultStore';
import type { ProfileStatus } from './profileStatusShape';
import type { CachedSession } from './types';

export type { ProfileStatus };

export function buildProfileStatus(
  config: AwsConfig,
  inventory: { keys: Map<string, StoredKey>; sessions: Map<string, CachedSession> },
  now: number,
): ProfileStatus[] {
  const rows: ProfileStatus[] = [];
  const seen = new Set<string>();
  for (const name of config.profileNames()) {
    seen.add(name);
    const p = config.profile(name);
    const role = p.kind === 'role' ? p : undefined;
    const key = inventory.keys.get(name);
    const session = inventory.sessions.get(name);
    rows.push({
      name,
      kind: p.kind,
      hasKey: !!key,
      accessKeyIdHint: key ? maskAccessKeyId(key.accessKeyId) : undefined,
      keyStoredAt: key?.storedAt,
      sourceProfile: role?.sourceProfile,
      roleArn: role?.roleArn,
      mfaSerial: p.mfaSerial,
      region: p.region,
      account: accountOf(role?.roleArn || p.mfaSerial),
      managedByKeytray: p.managedByKeytray,
      sessionSecondsLeft: session ? Math.floor((session.expiration - now) / 1000) : null,
      inConfig: true,
    });
  }
  for (const [name, key] of inventory.keys) {
    if (seen.has(name)) continue;
    rows.push({
      name,
      kind: 'user',
      hasKey: true,
      accessKeyIdHint: maskAccessKeyId(key.accessKeyId),
      keyStoredAt: key.storedAt,
      managedByKeytray: false,
      sessionSecondsLeft: null,
      inConfig: false,
    });
  }
  return rows;
}

export function accountOf(arn: string | undefined): string | undefined {
  const m = arn ? /^arn:[^:]+:iam::(\d{12}):/.exec(arn) : null;
  return m ? m[1] : undefined;
}

/**
 * Refuses a profile name that means nothing: not in the config or credentials file, and nothing of
 * it in the keychain. A key whose section was deleted is still known, so it can be removed, and so
 * can one whose config file no longer parses (that error is reported only if the keychain has nothing).
 */
export function assertKnownProfile(
  vault: { loadConfig: () => AwsConfig; store: Pick<VaultStore, 'getLongTermKey' | 'getSession'> },
  profile: string,
): void {
  let config: AwsConfig | undefined;
  let unreadable: unknown;
  try {
    config = vault.loadConfig();
    if (config.has(profile)) return;
  } catch (err) {
    unreadable = err;
  }
  if (vault.store.getLongTermKey(profile) || vault.store.getSession(profile)) return;
  if (!config) throw unreadable;
  throw new KeytrayError('unknown-profile', `Profile "${profile}" is not in ${config.file} and Keytray stores nothing for it`, {
    profile,
    hint: 'Check the name; `keytray list` shows the profiles Keytray knows.',
  });
}
