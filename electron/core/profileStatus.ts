import type { AwsConfig } from './config/awsConfig';
import { maskAccessKeyId } from './errors';
import type { StoredKey, StoredLoginSession } from './keychain/vaultStore';
import { LOGIN_SESSION_MS } from './login/signinProtocol';
import type { ProfileStatus } from './profileStatusShape';
import type { CachedSession } from './types';

export type { ProfileStatus };

export function buildProfileStatus(
  config: AwsConfig,
  inventory: { keys: Map<string, StoredKey>; sessions: Map<string, CachedSession>; logins?: Map<string, StoredLoginSession> },
  now: number,
): ProfileStatus[] {
  const rows: ProfileStatus[] = [];
  const seen = new Set<string>();
  for (const name of config.profileNames()) {
    seen.add(name);
    const p = config.profile(name);
    const role = p.kind === 'role' ? p : undefined;
    const key = inventory.keys.get(name);
    const login = p.kind === 'login' ? inventory.logins?.get(name) : undefined;
    // A login profile's current credentials live in its login item, not in a session item.
    const session = login ? login.credentials : inventory.sessions.get(name);
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
      ...(p.kind === 'login' ? { signInSecondsLeft: login?.signedInAt === undefined ? null : Math.floor((login.signedInAt + LOGIN_SESSION_MS - now) / 1000) } : {}),
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
