import { profileSections, resolveProfileChain, type AwsConfig } from '../config/awsConfig';
import { editIniFile } from '../config/configFileWriter';
import { addProfileSection } from '../config/profileSetup';
import { KeytrayError, maskAccessKeyId } from '../errors';
import type { Vault } from '../vault';

/**
 * Storing a long-term key, shared by `keytray add`, `keytray import`, the app's forms and its import
 * wizard: the checks, the keychain write, and what a new key makes stale.
 */

/** Long-term keys start with AKIA; ASIA keys are temporary and must not be stored as long-term. */
const LONG_TERM_KEY_ID = /^AKIA[A-Z0-9]{12,124}$/;

/** Both halves of a key, the ID first: the checks `keytray add`, `keytray import` and the wizard run. */
export function validateLongTermKey(accessKeyId: string, secretAccessKey: string, profile: string): void {
  validateAccessKeyId(accessKeyId, profile);
  validateSecretAccessKey(secretAccessKey, profile);
}

/** Separate from the secret's check so the add form can put the error under the field that failed. */
export function validateAccessKeyId(accessKeyId: string, profile: string): void {
  if (/^ASIA/.test(accessKeyId)) {
    throw new KeytrayError('usage', 'That is a temporary (ASIA…) session key, not a long-term IAM user key', {
      profile,
      hint: "Store the IAM user's own access key; Keytray makes the sessions.",
    });
  }
  if (!LONG_TERM_KEY_ID.test(accessKeyId)) {
    throw new KeytrayError('usage', `"${maskAccessKeyId(accessKeyId)}" is not an AWS access key ID`, {
      profile,
      hint: 'Access key IDs start with AKIA followed by 16 upper-case letters and digits.',
    });
  }
}

export function validateSecretAccessKey(secretAccessKey: string, profile: string): void {
  if (secretAccessKey.length < 16 || /\s/.test(secretAccessKey)) {
    throw new KeytrayError('usage', 'The secret access key is malformed', { profile, hint: 'Paste the 40-character secret exactly.' });
  }
}

/** Stores a key and drops every session made from the previous one. */
export function storeKey(vault: Vault, profile: string, accessKeyId: string, secretAccessKey: string): void {
  vault.store.setLongTermKey(profile, { accessKeyId, secretAccessKey, storedAt: vault.clock.now() });
  clearSessionsBuiltOn(vault, profile);
}

/** Clears the sessions of the profile and of every role whose chain passes through it. */
export function clearSessionsBuiltOn(vault: Vault, profile: string): string[] {
  const cleared = vault.store.clearSessions(profile);
  let config: AwsConfig;
  try {
    config = vault.loadConfig();
  } catch {
    return cleared;
  }
  for (const name of config.profileNames()) {
    if (name === profile) continue;
    try {
      if (resolveProfileChain(config, name).some((p) => p.name === profile)) cleared.push(...vault.store.clearSessions(name));
    } catch {
      // A broken chain elsewhere in the file is not this caller's business.
    }
  }
  return cleared;
}

/** Adds `[profile NAME]` to the config file when missing, keeping every other byte. Returns true if added. */
export function ensureProfileSection(vault: Vault, profile: string): boolean {
  return editIniFile(vault.paths.configFile, (doc) => {
    if (profileSections(doc).has(profile)) return false;
    addProfileSection(doc, profile, []);
    return true;
  }).result;
}
