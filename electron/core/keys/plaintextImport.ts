import { profileNameOfSection } from '../config/awsConfig';
import { editIniFile, readConfigFile } from '../config/configFileWriter';
import { IniDocument } from '../config/iniDocument';
import { listPlaintextCredentials, removeCredentialKeys } from '../config/profileSetup';
import { KeytrayError, maskAccessKeyId } from '../errors';
import type { Vault } from '../vault';
import { ensureProfileSection, storeKey, validateLongTermKey } from './longTermKeys';

/**
 * Moving plaintext keys into the keychain, for `keytray import` and the app's import wizard. The
 * AWS CLI reads keys from the credentials file and from the config file, so both are swept.
 */
export interface PlaintextKey {
  profile: string;
  file: string;
  kind: 'credentials' | 'config';
  section: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Set for session credentials: Keytray makes those itself and leaves them alone. */
  temporary: boolean;
}

export function plaintextSources(vault: Vault, file?: string): Array<{ file: string; kind: 'credentials' | 'config' }> {
  if (file) return [{ file, kind: 'credentials' }];
  return [
    { file: vault.paths.credentialsFile, kind: 'credentials' },
    { file: vault.paths.configFile, kind: 'config' },
  ];
}

export function scanPlaintextKeys(sources: Array<{ file: string; kind: 'credentials' | 'config' }>): PlaintextKey[] {
  const found: PlaintextKey[] = [];
  for (const source of sources) {
    const { text } = readConfigFile(source.file);
    const doc = IniDocument.parse(text, source.file);
    for (const entry of listPlaintextCredentials(doc)) {
      const profile = source.kind === 'config' ? profileNameOfSection(entry.section) : entry.section;
      if (!profile) continue;
      found.push({
        ...source,
        profile,
        section: entry.section,
        accessKeyId: entry.accessKeyId,
        secretAccessKey: entry.secretAccessKey,
        temporary: !!entry.sessionToken || entry.accessKeyId.startsWith('ASIA'),
      });
    }
  }
  return found;
}

/**
 * The access key ID stored for the key's profile when it is a different key: importing would
 * replace it unchecked, and a stale plaintext copy would cost the working key. Undefined otherwise.
 */
export function storedKeyItWouldReplace(vault: Vault, k: PlaintextKey): string | undefined {
  const stored = vault.store.getLongTermKey(k.profile);
  return stored && (stored.accessKeyId !== k.accessKeyId || stored.secretAccessKey !== k.secretAccessKey) ? stored.accessKeyId : undefined;
}

/**
 * Stores the keys, then (with removePlaintext) deletes their plaintext copies, keeping every other
 * byte of the files. Nothing may be lost: every key must read back from the keychain before its
 * plaintext copy goes. Returns the files rewritten.
 */
export function importPlaintextKeys(vault: Vault, keys: PlaintextKey[], options: { removePlaintext: boolean }): string[] {
  for (const k of keys) {
    if (k.temporary) {
      throw new KeytrayError('usage', 'That is a temporary session key, which Keytray makes itself', { profile: k.profile, hint: 'Leave it out.' });
    }
    validateLongTermKey(k.accessKeyId, k.secretAccessKey, k.profile);
    const stored = storedKeyItWouldReplace(vault, k);
    if (stored) {
      throw new KeytrayError(
        'key-replace-unconfirmed',
        `Profile "${k.profile}" already has access key ${maskAccessKeyId(stored)} stored, and ${k.file} holds a different one (${maskAccessKeyId(k.accessKeyId)}); nothing was imported`,
        { profile: k.profile, hint: `Leave that key out, or replace the stored one with \`keytray add ${k.profile} --replace\`, which checks the new key with AWS first.` },
      );
    }
  }
  for (const k of keys) {
    storeKey(vault, k.profile, k.accessKeyId, k.secretAccessKey);
    ensureProfileSection(vault, k.profile);
  }
  if (!options.removePlaintext) return [];

  for (const k of keys) {
    const stored = vault.store.getLongTermKey(k.profile);
    if (stored?.accessKeyId !== k.accessKeyId || stored.secretAccessKey !== k.secretAccessKey) {
      throw new KeytrayError('keychain-unavailable', 'The keychain did not keep the imported key, so the plaintext copy was left in place', {
        profile: k.profile,
      });
    }
  }
  const rewritten: string[] = [];
  for (const file of new Set(keys.map((k) => k.file))) {
    editIniFile(file, (doc) => {
      // A config-file profile keeps its (possibly now empty) section: `[profile x]` still defines it.
      for (const k of keys.filter((f) => f.file === file)) removeCredentialKeys(doc, k.section, { keepEmptySection: k.kind === 'config' });
    });
    rewritten.push(file);
  }
  return rewritten;
}
