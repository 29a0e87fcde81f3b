import { KeytrayError } from '../errors';
import type { CachedSession } from '../types';
import type { SecretBackend } from './secretBackend';

/** A long-term IAM access key as kept in the keychain. */
export interface StoredKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Epoch ms when Keytray stored it; shown as the key's age before rotation. */
  storedAt: number;
}

/**
 * An AWS Sign-In (`aws login`) session, all of whose parts are secret: the DPoP private key that
 * binds it, the refresh token (rotated on every refresh) and the current credentials. Kept as one
 * item so that a refresh replaces token and credentials together or not at all.
 */
export interface StoredLoginSession {
  /** The signed-in principal's ARN (the idToken's `sub`). */
  loginSession: string;
  /** Sessions refresh only in the region they were signed in to. */
  region: string;
  clientId: string;
  refreshToken: string;
  /** SEC1 PEM of the P-256 key made for this sign-in. */
  dpopKey: string;
  /** Epoch ms of the sign-in; the session ends 12 hours later. Unknown for an imported session. */
  signedInAt?: number;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: number };
}

/**
 * An IAM Identity Center sign-in, kept only in the keychain (the AWS CLI keeps the same in plaintext
 * under ~/.aws/sso/cache). `clientId` names the registration whose secret refreshes it.
 */
export interface StoredSsoToken {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  refreshToken?: string;
  clientId: string;
  startUrl: string;
  region: string;
  /** Epoch ms of the sign-in (not of the last refresh): shown as "signed in since". */
  signedInAt: number;
}

/** An OIDC client registration, reused until it expires; one per sign-in flow. */
export interface StoredSsoClient {
  clientId: string;
  clientSecret: string;
  /** Epoch ms. */
  expiresAt: number;
  startUrl: string;
  region: string;
  scopes: string[];
}

export type SsoFlow = 'authorization_code' | 'device_code';
export type StoredSsoClients = Partial<Record<SsoFlow, StoredSsoClient>>;

/**
 * The only module that reads or writes Keytray's keychain items. Items are named `key:PROFILE`,
 * `session:PROFILE`, `login:PROFILE`, `sso-token:SESSION` and `sso-client:SESSION` under one
 * service, and anything else is refused, so no caller can turn this into a generic "read a secret"
 * primitive (docs/architecture.md, Desktop and agent).
 */
export class VaultStore {
  constructor(private readonly backend: SecretBackend) {}

  getLongTermKey(profile: string): StoredKey | null {
    const raw = this.backend.get(itemName('key', profile));
    return raw === null ? null : parseItem<StoredKey>(raw, profile, isStoredKey);
  }

  setLongTermKey(profile: string, key: StoredKey): void {
    this.backend.set(itemName('key', profile), JSON.stringify(key));
  }

  deleteLongTermKey(profile: string): boolean {
    return this.backend.delete(itemName('key', profile));
  }

  getSession(profile: string): CachedSession | null {
    const raw = this.backend.get(itemName('session', profile));
    return raw === null ? null : parseItem<CachedSession>(raw, profile, isCachedSession);
  }

  setSession(profile: string, session: CachedSession): void {
    this.backend.set(itemName('session', profile), JSON.stringify(session));
  }

  deleteSession(profile: string): boolean {
    return this.backend.delete(itemName('session', profile));
  }

  getLoginSession(profile: string): StoredLoginSession | null {
    const raw = this.backend.get(itemName('login', profile));
    return raw === null ? null : parseItem<StoredLoginSession>(raw, profile, isStoredLoginSession, `Run \`keytray login ${profile}\` to sign in again.`);
  }

  /** One keychain write: the rotated refresh token and the credentials it came with replace the old pair together. */
  setLoginSession(profile: string, session: StoredLoginSession): void {
    this.backend.set(itemName('login', profile), JSON.stringify(session));
  }

  deleteLoginSession(profile: string): boolean {
    return this.backend.delete(itemName('login', profile));
  }

  getSsoToken(session: string): StoredSsoToken | null {
    const raw = this.backend.get(itemName('sso-token', session));
    return raw === null ? null : parseSsoItem(raw, session, isStoredSsoToken);
  }

  setSsoToken(session: string, token: StoredSsoToken): void {
    this.backend.set(itemName('sso-token', session), JSON.stringify(token));
  }

  deleteSsoToken(session: string): boolean {
    return this.backend.delete(itemName('sso-token', session));
  }

  getSsoClients(session: string): StoredSsoClients {
    const raw = this.backend.get(itemName('sso-client', session));
    return raw === null ? {} : parseSsoItem(raw, session, isStoredSsoClients);
  }

  setSsoClients(session: string, clients: StoredSsoClients): void {
    this.backend.set(itemName('sso-client', session), JSON.stringify(clients));
  }

  deleteSsoClients(session: string): boolean {
    return this.backend.delete(itemName('sso-client', session));
  }

  /** Everything Keytray holds, by profile (and SSO session); used by `list` and the app's status. One keychain round trip. */
  inventory(): {
    keys: Map<string, StoredKey>;
    sessions: Map<string, CachedSession>;
    logins: Map<string, StoredLoginSession>;
    ssoTokens: Map<string, StoredSsoToken>;
  } {
    const keys = new Map<string, StoredKey>();
    const sessions = new Map<string, CachedSession>();
    const logins = new Map<string, StoredLoginSession>();
    const ssoTokens = new Map<string, StoredSsoToken>();
    for (const { account, value } of this.backend.list()) {
      const parsed = parseItemName(account);
      if (!parsed) continue;
      try {
        if (parsed.kind === 'key') keys.set(parsed.profile, parseItem(value, parsed.profile, isStoredKey));
        else if (parsed.kind === 'session') sessions.set(parsed.profile, parseItem(value, parsed.profile, isCachedSession));
        else if (parsed.kind === 'login') logins.set(parsed.profile, parseItem(value, parsed.profile, isStoredLoginSession));
        else if (parsed.kind === 'sso-token') ssoTokens.set(parsed.profile, parseSsoItem(value, parsed.profile, isStoredSsoToken));
      } catch {
        // A damaged item must not hide the others; `get` on that profile reports it.
      }
    }
    return { keys, sessions, logins, ssoTokens };
  }

  /** Deletes every cached session, or those of one profile. Returns the profiles cleared. */
  clearSessions(profile?: string): string[] {
    if (profile !== undefined) return this.deleteSession(profile) ? [profile] : [];
    const cleared: string[] = [];
    for (const name of this.inventory().sessions.keys()) if (this.deleteSession(name)) cleared.push(name);
    return cleared;
  }
}

type ItemKind = 'key' | 'session' | 'login' | 'sso-token' | 'sso-client';

function itemName(kind: ItemKind, profile: string): string {
  if (!profile || /[\s[\]]/.test(profile)) {
    throw new KeytrayError('usage', `"${profile}" is not a valid profile name`);
  }
  return `${kind}:${profile}`;
}

function parseItemName(account: string): { kind: ItemKind; profile: string } | null {
  const m = /^(key|session|login|sso-token|sso-client):(.+)$/.exec(account);
  return m ? { kind: m[1] as ItemKind, profile: m[2] } : null;
}

function parseItem<T>(raw: string, profile: string, check: (v: unknown) => v is T, hint = `Run \`keytray remove ${profile}\` and add the key again.`): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (!check(value)) {
    throw new KeytrayError('keychain-unavailable', `The keychain item for profile "${profile}" is damaged`, {
      hint,
    });
  }
  return value;
}

/** A damaged SSO item reads as a sign-in to redo, not a key to re-add. */
function parseSsoItem<T>(raw: string, session: string, check: (v: unknown) => v is T): T {
  try {
    return parseItem(raw, session, check);
  } catch {
    throw new KeytrayError('keychain-unavailable', `The keychain item for SSO session "${session}" is damaged`, {
      hint: `Run \`keytray sso logout ${session}\` and sign in again.`,
    });
  }
}

function isStoredSsoToken(v: unknown): v is StoredSsoToken {
  const o = v as StoredSsoToken;
  return !!o && typeof o.accessToken === 'string' && typeof o.expiresAt === 'number' && typeof o.clientId === 'string' && typeof o.startUrl === 'string';
}

function isStoredSsoClients(v: unknown): v is StoredSsoClients {
  if (!v || typeof v !== 'object') return false;
  return Object.values(v as Record<string, StoredSsoClient>).every((c) => !!c && typeof c.clientId === 'string' && typeof c.clientSecret === 'string' && typeof c.expiresAt === 'number');
}

function isStoredKey(v: unknown): v is StoredKey {
  const o = v as StoredKey;
  return !!o && typeof o.accessKeyId === 'string' && typeof o.secretAccessKey === 'string' && typeof o.storedAt === 'number';
}

function isStoredLoginSession(v: unknown): v is StoredLoginSession {
  const o = v as StoredLoginSession;
  const c = o?.credentials;
  return (
    !!o &&
    typeof o.loginSession === 'string' &&
    typeof o.region === 'string' &&
    typeof o.clientId === 'string' &&
    typeof o.refreshToken === 'string' &&
    typeof o.dpopKey === 'string' &&
    (o.signedInAt === undefined || typeof o.signedInAt === 'number') &&
    !!c &&
    typeof c.accessKeyId === 'string' &&
    typeof c.secretAccessKey === 'string' &&
    typeof c.sessionToken === 'string' &&
    typeof c.expiration === 'number'
  );
}

function isCachedSession(v: unknown): v is CachedSession {
  const o = v as CachedSession;
  return (
    !!o &&
    typeof o.accessKeyId === 'string' &&
    typeof o.secretAccessKey === 'string' &&
    typeof o.sessionToken === 'string' &&
    typeof o.expiration === 'number'
  );
}
