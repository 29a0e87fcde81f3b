import { KeytrayError, maskAccessKeyId } from '../core/errors';
import { importPlaintextKeys, plaintextSources, scanPlaintextKeys, type PlaintextKey } from '../core/keys/plaintextImport';
import type { Vault } from '../core/vault';
import type { ImportCandidate, ImportResult } from '../ipc/contract';

/**
 * The import wizard over core's plaintext import: step 1 lists plaintext keys as metadata only (the
 * renderer sees a masked key ID per profile), step 2 moves the chosen ones, reading the secrets
 * again here in main so they never travel.
 */
/** The id the renderer sends back to choose a key: where it is, never what it is. */
function candidateId(k: PlaintextKey): string {
  return JSON.stringify([k.kind, k.section]);
}

function candidateOf(vault: Vault, k: PlaintextKey): ImportCandidate {
  const stored = vault.store.getLongTermKey(k.profile);
  return {
    id: candidateId(k),
    profile: k.profile,
    file: k.file,
    accessKeyIdHint: maskAccessKeyId(k.accessKeyId),
    alreadyStored: stored?.accessKeyId === k.accessKeyId && stored.secretAccessKey === k.secretAccessKey,
    skippedReason: k.temporary ? 'a temporary session key, which Keytray makes itself' : undefined,
  };
}

export function scanPlaintextKeysForWizard(vault: Vault): { candidates: ImportCandidate[]; files: string[] } {
  const sources = plaintextSources(vault);
  return { candidates: scanPlaintextKeys(sources).map((k) => candidateOf(vault, k)), files: sources.map((s) => s.file) };
}

export function importChosenKeys(vault: Vault, ids: string[], removePlaintext: boolean): ImportResult {
  const chosen = scanPlaintextKeys(plaintextSources(vault)).filter((k) => ids.includes(candidateId(k)));
  if (chosen.length !== new Set(ids).size) {
    throw new KeytrayError('config-changed', 'The files changed since the wizard listed them', { hint: 'Go back and scan again.' });
  }
  const removedFrom = importPlaintextKeys(vault, chosen, { removePlaintext });
  return { imported: chosen.map((k) => k.profile), removedFrom };
}
