import type { AwsConfig } from './config/awsConfig';
import { maskAccessKeyId } from './errors';
import type { StoredKey } from './keychain/vaultStore';
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
      account: p.kind === 'sso' ? p.ssoAccountId : accountOf(p.roleArn ?? p.mfaSerial),
      ssoSession: p.kind === 'sso' ? p.ssoSession : undefined,
      ssoRoleName: p.kind === 'sso' ? p.ssoRoleName : undefined,
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
