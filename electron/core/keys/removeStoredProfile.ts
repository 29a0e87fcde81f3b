import { KeytrayError } from '../errors';
import type { Vault } from '../vault';
import { clearSessionsBuiltOn } from './longTermKeys';

/**
 * `keytray remove` and the window's Remove: deletes the profile's stored key, its AWS Sign-In
 * session (a login profile's sign-in key, refresh token and credentials) and every session built
 * on it. The config section stays: it is the user's file, and other tools may read it.
 */
export async function removeStoredProfile(vault: Vault, profile: string): Promise<{ removedKey: boolean; forgotSignIn: boolean; clearedSessions: string[] }> {
  const removedKey = vault.store.deleteLongTermKey(profile);
  // Under the login's lock, as `keytray logout` does: a refresh in flight would otherwise write it back.
  const forgotSignIn = await vault.logins.forget(profile);
  const clearedSessions = clearSessionsBuiltOn(vault, profile);
  if (!removedKey && !forgotSignIn && clearedSessions.length === 0) {
    throw new KeytrayError('no-stored-key', 'Nothing is stored for this profile', { profile, hint: 'See `keytray list`.' });
  }
  return { removedKey, forgotSignIn, clearedSessions };
}
