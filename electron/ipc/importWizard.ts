import { profileNameOfSection } from '../core/config/awsConfig';
import { readConfigFile, writeFileAtomically } from '../core/config/configFileWriter';
import { IniDocument } from '../core/config/iniDocument';
import { listPlaintextCredentials, removeCredentialKeys } from '../core/config/profileSetup';
import { KeytrayError, maskAccessKeyId } from '../core/errors';
import type { Vault } from '../core/vault';
import { ensureProfileSection, storeKey, validateLongTermKey } from '../cli/commands/keyCommands';
import type { ImportCandidate, ImportResult } from './contract';

/**
 * The import wizard: step 1 lists plaintext keys (metadata only: the renderer sees a masked key ID
 * per profile), step 2 moves the chosen ones into the keychain, reading the secrets again here in
 * main so they never travel. Like `keytray import`, it sweeps the credentials file and the config
 * file, because the AWS CLI reads keys from both.
 */

interface FoundKey {
  candidate: ImportCandidate;
  kind: 'credentials' | 'config';
  section: string;
  accessKeyId: string;
  secretAccessKey: string;
}

function scan(vault: Vault): { found: FoundKey[]; files: string[] } {
  const sources = [
    { file: vault.paths.credentialsFile, kind: 'credentials' as const },
    { file: vault.paths.configFile, kind: 'config' as const },
  ];
  const found: FoundKey[] = [];
  for (const source of sources) {
    const { text } = readConfigFile(source.file);
    const doc = IniDocument.parse(text, source.file);
    for (const entry of listPlaintextCredentials(doc)) {
      const profile = source.kind === 'config' ? profileNameOfSection(entry.section) : entry.section;
      if (!profile) continue;
      const stored = vault.store.getLongTermKey(profile);
      const temporary = !!entry.sessionToken || entry.accessKeyId.startsWith('ASIA');
      found.push({
        kind: source.kind,
        section: entry.section,
        accessKeyId: entry.accessKeyId,
        secretAccessKey: entry.secretAccessKey,
        candidate: {
          id: JSON.stringify([source.kind, entry.section]),
          profile,
          file: source.file,
          accessKeyIdHint: maskAccessKeyId(entry.accessKeyId),
          alreadyStored: stored?.accessKeyId === entry.accessKeyId && stored.secretAccessKey === entry.secretAccessKey,
          skippedReason: temporary ? 'a temporary session key, which Keytray makes itself' : undefined,
        },
      });
    }
  }
  return { found, files: sources.map((s) => s.file) };
}

export function scanPlaintextKeys(vault: Vault): { candidates: ImportCandidate[]; files: string[] } {
  const { found, files } = scan(vault);
  return { candidates: found.map((f) => f.candidate), files };
}

export function importPlaintextKeys(vault: Vault, ids: string[], removePlaintext: boolean): ImportResult {
  const chosen = scan(vault).found.filter((f) => ids.includes(f.candidate.id));
  if (chosen.length !== new Set(ids).size) {
    throw new KeytrayError('config-changed', 'The files changed since the wizard listed them', { hint: 'Go back and scan again.' });
  }
  for (const k of chosen) {
    if (k.candidate.skippedReason) {
      throw new KeytrayError('usage', `Profile "${k.candidate.profile}" holds ${k.candidate.skippedReason}`, { hint: 'Leave it unticked.' });
    }
    validateLongTermKey(k.accessKeyId, k.secretAccessKey, k.candidate.profile);
  }
  for (const k of chosen) {
    storeKey(vault, k.candidate.profile, k.accessKeyId, k.secretAccessKey);
    ensureProfileSection(vault, k.candidate.profile);
  }

  const removedFrom: string[] = [];
  if (removePlaintext) {
    // Nothing may be lost: every key must read back from the keychain before a plaintext copy goes.
    for (const k of chosen) {
      const stored = vault.store.getLongTermKey(k.candidate.profile);
      if (stored?.accessKeyId !== k.accessKeyId || stored.secretAccessKey !== k.secretAccessKey) {
        throw new KeytrayError('keychain-unavailable', 'The keychain did not keep the imported key, so the plaintext copy was left in place', {
          profile: k.candidate.profile,
        });
      }
    }
    for (const file of new Set(chosen.map((k) => k.candidate.file))) {
      const { text, fingerprint } = readConfigFile(file);
      const doc = IniDocument.parse(text, file);
      for (const k of chosen.filter((c) => c.candidate.file === file)) {
        // A config-file section must stay for the profile to exist; a credentials section may go.
        removeCredentialKeys(doc, k.section, { keepEmptySection: k.kind === 'config' });
      }
      writeFileAtomically(file, doc.toString(), fingerprint);
      removedFrom.push(file);
    }
  }
  return { imported: chosen.map((k) => k.candidate.profile), removedFrom };
}
