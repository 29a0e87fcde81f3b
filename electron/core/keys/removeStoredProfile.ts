import { KeytrayError } from '../errors';
import type { Vault } from '../vault';
import { clearSessionsBuiltOn } from './longTermKeys';

/**
 * `keytray remove` and the window's Remove: deletes the profile's stored key and every session
 * built on it. The config section stays: it is the user's file, and other tools may read it.
 */
export function removeStoredProfile(vault: Vault, profile: string): { removedKey: boolean; clearedSessions: string[] } {
  const removedKey = vault.store.deleteLongTermKey(profile);
  const clearedSessions = clearSessionsBuiltOn(vault, profile);
  if (!removedKey && clearedSessions.length === 0) {
    throw new KeytrayError('no-stored-key', 'Nothing is stored for this profile', { profile, hint: 'See `keytray list`.' });
  }
  return { removedKey, clearedSessions };
}
