import type { AwsConfig } from './config/awsConfig';
import { KeytrayError, maskAccessKeyId } from './errors';
import type { StoredKey, StoredLoginSession, VaultStore } from './keychain/vaultStore';
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
      account: p.kind === 'sso' ? p.ssoAccountId : accountOf(role?.roleArn || p.mfaSerial),
      ssoSession: p.kind === 'sso' ? p.ssoSession : undefined,
      ssoRoleName: p.kind === 'sso' ? p.ssoRoleName : undefined,
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
