import { KeytrayError } from '../errors';
import {
  DEFINITION_KEYS,
  KEYTRAY_PREFIX,
  isKeytrayCredentialProcess,
  profileSections,
  sectionNameFor,
  unknownProfile,
} from './awsConfig';
import { IniDocument } from './iniDocument';
import { validateProfileName } from './validation';

/**
 * Edits behind `keytray setup`, `keytray add` and `keytray import --remove-plaintext`. Each one
 * changes only the lines it must, so a user's comments, order and unknown keys survive.
 * They edit an IniDocument in memory, inside `editIniFile`, which locks, reads and writes the file.
 */

/**
 * Wires a profile to Keytray. The AWS CLI and SDKs prefer a profile's own role_arn (and the rest
 * of the assume-role keys) over its credential_process, so those keys are renamed in place to
 * `keytray_<key>`, where only Keytray reads them, and `credential_process = <command>` is added
 * after the profile's last key. Running it again changes nothing.
 */
export function applySetup(doc: IniDocument, profileName: string, command: string): void {
  const section = profileSection(doc, profileName);
  const existing = doc.get(section, 'credential_process');
  if (existing && existing !== command && !isKeytrayCredentialProcess(existing)) {
    throw new KeytrayError(
      'config-invalid',
      `Profile "${profileName}" in ${doc.fileName} (line ${doc.lineOf(section, 'credential_process')}) already has its own credential_process`,
      {
        profile: profileName,
        hint: 'Keytray will not replace another tool\'s credential_process; remove that line first, or set up a different profile.',
      },
    );
  }
  assertRenamable(doc, section, profileName, 'setup');
  for (const key of DEFINITION_KEYS) doc.rename(section, key, KEYTRAY_PREFIX + key);
  doc.set(section, 'credential_process', command);
}

/**
 * Reverses `applySetup`: renames `keytray_<key>` back and removes Keytray's credential_process
 * line, which gives back the original bytes when setup had appended that line. Pass the exact
 * command setup wrote when Keytray's launcher has a name without "keytray" in it.
 */
export function undoSetup(doc: IniDocument, profileName: string, command?: string): void {
  const section = profileSection(doc, profileName);
  assertRenamable(doc, section, profileName, 'undo');
  for (const key of DEFINITION_KEYS) doc.rename(section, KEYTRAY_PREFIX + key, key);
  const existing = doc.get(section, 'credential_process');
  if (existing !== undefined && (existing === command || isKeytrayCredentialProcess(existing))) {
    doc.delete(section, 'credential_process');
  }
}

/** Appends `[profile NAME]` (or `[default]`) for `keytray add`; every existing byte stays as it was. */
export function addProfileSection(doc: IniDocument, profileName: string, entries: Array<[string, string]>): void {
  assertValidProfileName(profileName);
  if (profileSections(doc).has(profileName)) {
    throw new KeytrayError('config-invalid', `Profile "${profileName}" already exists in ${doc.fileName}`, {
      profile: profileName,
      hint: 'Edit its section instead of adding it again.',
    });
  }
  doc.addSection(sectionNameFor(profileName), entries);
}

/** Throws the validator's message as a KeytrayError, for callers outside the UI. */
export function assertValidProfileName(name: string): void {
  const problem = validateProfileName(name);
  if (problem) {
    // A usage error (exit 2): the name came from the command line or a form, not from a file.
    throw new KeytrayError('usage', problem.replace(/\.$/, ''), {
      hint: 'Use letters, digits and _ . @ + = , - only, e.g. work-admin.',
    });
  }
}

/**
 * The keys that make a credentials-file section a plaintext secret. botocore still honours the
 * legacy aws_security_token, and it lower-cases keys (configparser), so `AWS_SECRET_ACCESS_KEY`
 * is a secret too: these are matched without regard to case.
 */
const CREDENTIAL_KEYS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_security_token'];

export interface PlaintextCredential {
  section: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** 1-based line of the section header. */
  line: number;
}

/** Sections that hold both an access key ID and a secret; a lone half is not a usable key. */
export function listPlaintextCredentials(doc: IniDocument): PlaintextCredential[] {
  const found: PlaintextCredential[] = [];
  for (const section of doc.sectionNames()) {
    const byLowerKey = new Map(doc.entries(section).map(([key, value]): [string, string] => [key.toLowerCase(), value]));
    const accessKeyId = byLowerKey.get('aws_access_key_id');
    const secretAccessKey = byLowerKey.get('aws_secret_access_key');
    if (!accessKeyId || !secretAccessKey) continue;
    const sessionToken = byLowerKey.get('aws_session_token') || byLowerKey.get('aws_security_token') || undefined;
    found.push({ section, accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), line: doc.lineOf(section) ?? 0 });
  }
  return found;
}

/**
 * Deletes the key lines of a plaintext credential from one section and keeps everything else. A
 * section left with nothing but blank lines (no keys, no comment in it or directly above it) is
 * removed too, unless `keepEmptySection` is set: pass it for a config-file `[profile NAME]`
 * section, which must stay for the profile to exist.
 */
export function removeCredentialKeys(
  doc: IniDocument,
  section: string,
  options: { keepEmptySection?: boolean } = {},
): { removedKeys: string[]; removedSection: boolean } {
  const removedKeys = doc
    .keys(section)
    .filter((key) => CREDENTIAL_KEYS.includes(key.toLowerCase()));
  for (const key of removedKeys) doc.delete(section, key);
  const removedSection =
    !options.keepEmptySection && removedKeys.length > 0 && !doc.hasKeysOrComments(section) && doc.removeSection(section);
  return { removedKeys, removedSection };
}

/** The config-file section of a profile, honouring `[profile default]` as botocore does. */
function profileSection(doc: IniDocument, profileName: string): string {
  const section = profileSections(doc).get(profileName);
  if (section === undefined) throw unknownProfile(profileName, doc.fileName);
  return section;
}

/**
 * Refuses the two layouts where a rename would change what the profile means:
 * - both `role_arn` and `keytray_role_arn` present (the rename would make a duplicate key);
 * - a definition key in other letter case (`Role_Arn`): botocore lower-cases keys, so the AWS CLI
 *   would keep reading it as role_arn and bypass Keytray's credential_process.
 */
function assertRenamable(doc: IniDocument, section: string, profileName: string, action: 'setup' | 'undo'): void {
  const keys = doc.keys(section);
  const wanted = new Set(DEFINITION_KEYS.flatMap((k) => [k, KEYTRAY_PREFIX + k]));
  for (const key of keys) {
    if (!wanted.has(key) && wanted.has(key.toLowerCase())) {
      throw new KeytrayError(
        'config-invalid',
        `${doc.fileName} line ${doc.lineOf(section, key)}: write ${key} in lower case (${key.toLowerCase()}) in profile "${profileName}"`,
        { profile: profileName, hint: 'The AWS CLI ignores letter case in keys and the AWS SDKs do not; Keytray only renames the lower-case form.' },
      );
    }
  }
  for (const key of DEFINITION_KEYS) {
    if (keys.includes(key) && keys.includes(KEYTRAY_PREFIX + key)) {
      throw new KeytrayError(
        'config-invalid',
        `Profile "${profileName}" in ${doc.fileName} has both ${key} (line ${doc.lineOf(section, key)}) and ${KEYTRAY_PREFIX}${key} (line ${doc.lineOf(section, KEYTRAY_PREFIX + key)})`,
        {
          profile: profileName,
          hint: `Delete the one you no longer want, then run \`keytray setup${action === 'undo' ? ' --undo' : ''} ${profileName}\` again.`,
        },
      );
    }
  }
}
