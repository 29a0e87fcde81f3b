import type { AwsConfig } from './config/awsConfig';
import { maskAccessKeyId } from './errors';
import type { StoredKey } from './keychain/vaultStore';
import type { CachedSession } from './types';

/** What `keytray list`, the tray and the app show for a profile. Metadata only, never a secret. */
export interface ProfileStatus {
  name: string;
  kind: 'user' | 'role';
  hasKey: boolean;
  /** The key's last 4 characters, masked. */
  accessKeyIdHint?: string;
  keyStoredAt?: number;
  sourceProfile?: string;
  roleArn?: string;
  mfaSerial?: string;
  region?: string;
  /** Account ID from the role ARN or MFA serial, for grouping. */
  account?: string;
  /** Whether `keytray setup` wired the profile to credential_process. */
  managedByKeytray: boolean;
  /** Seconds left on the cached session, negative once expired, null with no session. */
  sessionSecondsLeft: number | null;
  /** False when the profile is only in the keychain (its section was deleted from the config). */
  inConfig: boolean;
}

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
    const key = inventory.keys.get(name);
    const session = inventory.sessions.get(name);
    rows.push({
      name,
      kind: p.kind,
      hasKey: !!key,
      accessKeyIdHint: key ? maskAccessKeyId(key.accessKeyId) : undefined,
      keyStoredAt: key?.storedAt,
      sourceProfile: p.sourceProfile,
      roleArn: p.roleArn,
      mfaSerial: p.mfaSerial,
      region: p.region,
      account: accountOf(p.roleArn ?? p.mfaSerial),
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
