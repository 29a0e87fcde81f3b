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
 * The only module that reads or writes Keytray's keychain items. Items are named `key:PROFILE` and
 * `session:PROFILE` under one service, and anything else is refused, so no caller can turn this into a
 * generic "read a secret" primitive (SPEC §5).
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

  /** Everything Keytray holds, by profile; used by `list` and the app's status. One keychain round trip. */
  inventory(): { keys: Map<string, StoredKey>; sessions: Map<string, CachedSession> } {
    const keys = new Map<string, StoredKey>();
    const sessions = new Map<string, CachedSession>();
    for (const { account, value } of this.backend.list()) {
      const parsed = parseItemName(account);
      if (!parsed) continue;
      try {
        if (parsed.kind === 'key') keys.set(parsed.profile, parseItem(value, parsed.profile, isStoredKey));
        else sessions.set(parsed.profile, parseItem(value, parsed.profile, isCachedSession));
      } catch {
        // A damaged item must not hide the others; `get` on that profile reports it.
      }
    }
    return { keys, sessions };
  }

  /** Deletes every cached session, or those of one profile. Returns the profiles cleared. */
  clearSessions(profile?: string): string[] {
    if (profile !== undefined) return this.deleteSession(profile) ? [profile] : [];
    const cleared: string[] = [];
    for (const name of this.inventory().sessions.keys()) if (this.deleteSession(name)) cleared.push(name);
    return cleared;
  }
}

type ItemKind = 'key' | 'session';

function itemName(kind: ItemKind, profile: string): string {
  if (!profile || /[\s[\]]/.test(profile)) {
    throw new KeytrayError('usage', `"${profile}" is not a valid profile name`);
  }
  return `${kind}:${profile}`;
}

function parseItemName(account: string): { kind: ItemKind; profile: string } | null {
  const m = /^(key|session):(.+)$/.exec(account);
  return m ? { kind: m[1] as ItemKind, profile: m[2] } : null;
}

function parseItem<T>(raw: string, profile: string, check: (v: unknown) => v is T): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (!check(value)) {
    throw new KeytrayError('keychain-unavailable', `The keychain item for profile "${profile}" is damaged`, {
      hint: `Run \`keytray remove ${profile}\` and add the key again.`,
    });
  }
  return value;
}

function isStoredKey(v: unknown): v is StoredKey {
  const o = v as StoredKey;
  return !!o && typeof o.accessKeyId === 'string' && typeof o.secretAccessKey === 'string' && typeof o.storedAt === 'number';
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
