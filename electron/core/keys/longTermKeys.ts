import { isDefinitionKey, isManagedByKeytray, KEYTRAY_PREFIX, profileSections, resolveProfileChain, sectionNameFor, type AwsConfig } from '../config/awsConfig';
import { editIniFile } from '../config/configFileWriter';
import { addProfileSection } from '../config/profileSetup';
import { KeytrayError, maskAccessKeyId } from '../errors';
import { resolveChain } from '../sessions/profileChain';
import { regionFor } from '../sts/endpoints';
import { describeStsFailure, type StsGateway } from '../sts/stsGateway';
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

/**
 * What `addOrReplaceLongTermKey` did. Every refusal leaves the stored key exactly as it was.
 * - stored: the profile had no key; the new one is stored (unchecked: nothing could be lost).
 * - unchanged: the same key was already stored.
 * - replaced: the old key is gone; the new one passed GetCallerIdentity, unless verification was off.
 * - refused-needs-confirmation: a key is stored and the caller did not confirm replacing it.
 * - refused-verification-failed: AWS did not accept the new key.
 * - refused-other-user: the new key belongs to another IAM user than the stored one.
 */
export type KeyStoreOutcome =
  | { kind: 'stored'; accessKeyId: string }
  | { kind: 'unchanged'; accessKeyId: string }
  | { kind: 'replaced'; accessKeyId: string; previousAccessKeyId: string; identity?: string; previousKeyFailed?: string }
  | { kind: 'refused-needs-confirmation'; accessKeyId: string; storedAccessKeyId: string }
  | { kind: 'refused-verification-failed'; accessKeyId: string; storedAccessKeyId: string; reason: string }
  | { kind: 'refused-other-user'; accessKeyId: string; storedAccessKeyId: string; identity: string; storedIdentity: string };

export type KeyStoreRefusal = Extract<KeyStoreOutcome, { kind: `refused-${string}` }>;

export function isRefusal(outcome: KeyStoreOutcome): outcome is KeyStoreRefusal {
  return outcome.kind.startsWith('refused-');
}

export interface KeyStoreRequest {
  profile: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The user confirmed replacing a stored key (a terminal answer, --replace, the window's dialog). */
  replace: boolean;
  /** Check a replacement with GetCallerIdentity first; off only when the user says so (offline). */
  verify: boolean;
  stsFor: (region: string) => StsGateway;
}

/**
 * Storing a key for `keytray add` and the app's Add key form. A typo in a replacement must never
 * cost the only copy of a working secret, so replacing needs the caller's confirmation and, unless
 * verification is turned off, a new key that AWS accepts and that belongs to the same IAM user as
 * the stored one (its GetCallerIdentity ARN). A stored key that AWS no longer accepts (deleted in
 * the console, say) cannot be compared, and is replaced: it was lost already.
 */
export async function addOrReplaceLongTermKey(vault: Vault, request: KeyStoreRequest): Promise<KeyStoreOutcome> {
  const { profile, accessKeyId, secretAccessKey } = request;
  validateLongTermKey(accessKeyId, secretAccessKey, profile);
  const stored = vault.store.getLongTermKey(profile);
  if (!stored) {
    storeKey(vault, profile, accessKeyId, secretAccessKey);
    return { kind: 'stored', accessKeyId };
  }
  const storedAccessKeyId = stored.accessKeyId;
  if (stored.accessKeyId === accessKeyId && stored.secretAccessKey === secretAccessKey) return { kind: 'unchanged', accessKeyId };
  if (!request.replace) return { kind: 'refused-needs-confirmation', accessKeyId, storedAccessKeyId };
  if (!request.verify) {
    storeKey(vault, profile, accessKeyId, secretAccessKey);
    return { kind: 'replaced', accessKeyId, previousAccessKeyId: storedAccessKeyId };
  }

  const sts = request.stsFor(regionFor(profileRegion(vault, profile), vault.env));
  let identity: string;
  try {
    identity = (await sts.getCallerIdentity({ accessKeyId, secretAccessKey })).arn;
  } catch (err) {
    const reason = describeStsFailure(err, { profile, action: 'GetCallerIdentity', accessKeyId }).message;
    return { kind: 'refused-verification-failed', accessKeyId, storedAccessKeyId, reason };
  }
  let storedIdentity: string | undefined;
  let previousKeyFailed: string | undefined;
  try {
    storedIdentity = (await sts.getCallerIdentity({ accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey })).arn;
  } catch (err) {
    previousKeyFailed = describeStsFailure(err, { profile, action: 'GetCallerIdentity', accessKeyId: stored.accessKeyId }).message;
  }
  if (storedIdentity !== undefined && storedIdentity !== identity) {
    return { kind: 'refused-other-user', accessKeyId, storedAccessKeyId, identity, storedIdentity };
  }
  storeKey(vault, profile, accessKeyId, secretAccessKey);
  return { kind: 'replaced', accessKeyId, previousAccessKeyId: storedAccessKeyId, identity, ...(previousKeyFailed ? { previousKeyFailed } : {}) };
}

/**
 * The one line a refusal gives, for the CLI and the app alike. `replaceHow` is how this caller
 * confirms: `--replace` on the command line, the confirmation dialog in the window.
 */
export function refusalError(
  outcome: KeyStoreRefusal,
  profile: string,
  replaceHow: { confirm: string; skipVerification?: string },
): KeytrayError {
  const kept = `the stored key ${maskAccessKeyId(outcome.storedAccessKeyId)} was kept`;
  switch (outcome.kind) {
    case 'refused-needs-confirmation':
      return new KeytrayError('key-replace-unconfirmed', `Profile "${profile}" already has access key ${maskAccessKeyId(outcome.storedAccessKeyId)} stored; nothing was changed`, {
        profile,
        hint: `${replaceHow.confirm} to replace it; the new key is checked with AWS first.`,
      });
    case 'refused-verification-failed':
      return new KeytrayError(
        'key-verification-failed',
        `The new access key ${maskAccessKeyId(outcome.accessKeyId)} for profile "${profile}" failed its check, so ${kept}: ${outcome.reason.replace(/\.$/, '')}`,
        { profile, hint: `Check the key you entered${replaceHow.skipVerification ? `, or ${replaceHow.skipVerification} when you are offline` : ''}.` },
      );
    case 'refused-other-user':
      return new KeytrayError(
        'key-other-user',
        `The new access key ${maskAccessKeyId(outcome.accessKeyId)} belongs to ${outcome.identity}, not to ${outcome.storedIdentity} like the stored one, so ${kept} for profile "${profile}"`,
        { profile, hint: `Add it under a profile of its own, or run \`keytray remove ${profile}\` first if the profile is to change users.` },
      );
  }
}

function profileRegion(vault: Vault, profile: string): string | undefined {
  try {
    const config = vault.loadConfig();
    return config.has(profile) ? resolveChain(config, profile).region : undefined;
  } catch {
    return undefined; // a broken config is not a reason to refuse checking a key; the default region works
  }
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
  // One keychain read, then a delete only where a session exists: on Linux every keychain item
  // touched opens a D-Bus connection that lives until the next garbage collection, so a call per
  // profile of a 2,000-profile config ran out of file descriptors and hung.
  const live = vault.store.inventory().sessions;
  for (const name of config.profileNames()) {
    if (name === profile || !live.has(name)) continue;
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
  return writeUserProfile(vault.paths.configFile, profile, {}).added;
}

/** The settings `keytray add` writes with the key, so the first run needs no hand-written section. */
export interface UserProfileSettings {
  region?: string;
  mfaSerial?: string;
}

/**
 * Writes a user profile's settings: a new `[profile NAME]` (or `[default]`) when the profile has no
 * section under any header botocore reads as it (`[profile  x]`, `[profile "x"]`, ...), otherwise
 * the keys set in that section, so a duplicate section, which the AWS CLI refuses, never appears.
 * A profile Keytray serves keeps its mfa_serial as keytray_mfa_serial, or the AWS CLI would act on it.
 */
export function writeUserProfile(configFile: string, profile: string, settings: UserProfileSettings): { added: boolean; setKeys: string[] } {
  const entries: Array<[string, string]> = [];
  if (settings.region) entries.push(['region', settings.region]);
  if (settings.mfaSerial) entries.push(['mfa_serial', settings.mfaSerial]);
  return editIniFile(configFile, (doc) => {
    const section = profileSections(doc).get(profile);
    if (section === undefined) {
      addProfileSection(doc, profile, entries);
      return { added: true, setKeys: entries.map(([key]) => key) };
    }
    const setKeys: string[] = [];
    const managed = isManagedByKeytray(doc, section);
    for (const [key, value] of entries) {
      const target = managed && isDefinitionKey(key) ? KEYTRAY_PREFIX + key : key;
      if (target !== key) doc.delete(section, key); // the AWS CLI would act on a plain twin itself
      if (doc.get(section, target) === value) continue;
      doc.set(section, target, value);
      setKeys.push(target);
    }
    return { added: false, setKeys };
  }).result;
}

/** `[profile NAME]`, or `[default]`: how a message names the section `keytray add` writes. */
export function userProfileHeader(profile: string): string {
  return `[${sectionNameFor(profile)}]`;
}
