import { AwsConfig, KEYTRAY_PREFIX, isDefinitionKey, resolveProfileChain, type ProfileConfig } from '../core/config/awsConfig';
import { addProfileSection } from '../core/config/profileSetup';
import { validateDurationSeconds, validateMfaSerial, validateProfileName, validateRegion, validateRoleArn } from '../core/config/validation';
import { KeytrayError } from '../core/errors';
import type { FieldErrors } from '../ipc/contract';
import { FormError } from '../ipc/ipcDoor';

/**
 * The add/edit forms of the app, turned into edits of ~/.aws/config through core's lossless model:
 * only the lines of the changed keys move, under the file's lock, and an edit someone else made on
 * disk meanwhile is kept (see AwsConfig.edit).
 */

/** Form field -> config key, in the order a new section lists them. */
export const ROLE_FIELDS = {
  roleArn: 'role_arn',
  sourceProfile: 'source_profile',
  mfaSerial: 'mfa_serial',
  externalId: 'external_id',
  roleSessionName: 'role_session_name',
  durationSeconds: 'duration_seconds',
  region: 'region',
} as const;

export const USER_FIELDS = {
  region: 'region',
  mfaSerial: 'mfa_serial',
  mfaProcess: 'mfa_process',
} as const;

export type FormKind = 'user' | 'role';
export type FormFields = Partial<Record<string, string | undefined>>;

/** Inline validation: the same checks the save handlers run, so a form that shows no error saves. */
export function validateProfileForm(config: AwsConfig | null, form: FormKind, isNew: boolean, profile: string, fields: FormFields): FieldErrors {
  const errors: FieldErrors = {};
  const nameProblem = validateProfileName(profile);
  if (nameProblem) errors.profile = nameProblem;
  else if (isNew && form === 'role' && config?.sectionOf(profile) !== undefined) errors.profile = `Profile "${profile}" already exists; edit it instead.`;

  const text = (k: string) => (fields[k] ?? '').trim();
  if (text('mfaSerial')) {
    const p = validateMfaSerial(text('mfaSerial'));
    if (p) errors.mfaSerial = p;
  }
  if (text('region')) {
    const p = validateRegion(text('region'));
    if (p) errors.region = p;
  }

  if (form === 'role') {
    const arnProblem = validateRoleArn(text('roleArn'));
    if (arnProblem) errors.roleArn = arnProblem;
    const source = text('sourceProfile');
    if (!source) errors.sourceProfile = 'Choose the profile whose credentials assume this role.';
    else if (source === profile) errors.sourceProfile = 'A profile cannot be its own source.';
    else if (config && !config.has(source)) errors.sourceProfile = `There is no profile "${source}".`;
    if (text('durationSeconds')) {
      const p = validateDurationSeconds(text('durationSeconds'));
      if (p) errors.durationSeconds = p;
    }
    if (text('roleSessionName') && !/^[\w+=,.@-]{2,64}$/.test(text('roleSessionName'))) {
      errors.roleSessionName = 'A session name is 2 to 64 letters, digits or + = , . @ _ -';
    }
  }
  return errors;
}

/** Adds a section or updates one, for either form. Returns true when a section was added. */
export function saveProfileForm(configFile: string, form: FormKind, isNew: boolean, profile: string, fields: FormFields): boolean {
  return AwsConfig.edit(configFile, (config) => applyProfileForm(config, form, isNew, profile, fields)).result;
}

/**
 * Throws what saving the form would refuse for: a field error, or an existing profile of the other
 * kind. The Add key handler asks before it stores the key, so a refused form stores nothing.
 */
export function assertProfileFormApplies(config: AwsConfig, form: FormKind, isNew: boolean, profile: string, fields: FormFields): void {
  const errors = validateProfileForm(config, form, isNew, profile, fields);
  if (Object.keys(errors).length > 0) throw new FormError(errors, profile);
  if (!isNew && config.sectionOf(profile) !== undefined) {
    const current = config.profile(profile);
    if (current.kind !== form) {
      throw new KeytrayError('config-invalid', `Profile "${profile}" is a ${current.kind} profile, not a ${form} profile`, {
        hint: 'Reload the list; the file may have changed.',
      });
    }
  }
}

function applyProfileForm(config: AwsConfig, form: FormKind, isNew: boolean, profile: string, fields: FormFields): boolean {
  assertProfileFormApplies(config, form, isNew, profile, fields);
  const mapping = form === 'role' ? ROLE_FIELDS : USER_FIELDS;
  const section = config.sectionOf(profile);
  let added = false;
  if (section === undefined) {
    const entries = Object.entries(mapping)
      .map(([field, key]): [string, string] => [key, (fields[field] ?? '').trim()])
      .filter(([, value]) => value !== '');
    addProfileSection(config.document, profile, entries);
    added = true;
  } else {
    const current = config.profile(profile);
    // A field the form did not send is left alone; an empty one clears the key.
    for (const [field, key] of Object.entries(mapping)) {
      if (fields[field] !== undefined) writeKey(config, section, current, key, (fields[field] ?? '').trim());
    }
  }
  // A change that makes a source chain loop must never reach the disk: check the edited document
  // first (AwsConfig re-reads its profiles after every edit to the document).
  if (form === 'role') resolveProfileChain(config, profile);
  return added;
}

/**
 * Sets or clears one key. A profile wired to credential_process keeps its definition under
 * `keytray_<key>` (SPEC §1), so edits go there; writing the plain key would make the AWS CLI assume
 * the role itself and bypass Keytray.
 */
function writeKey(config: AwsConfig, section: string, profile: ProfileConfig, key: string, value: string): void {
  const doc = config.document;
  const definition = isDefinitionKey(key);
  const prefixed = definition && profile.managedByKeytray;
  const target = prefixed ? KEYTRAY_PREFIX + key : key;
  const twin = prefixed ? key : KEYTRAY_PREFIX + key;
  if (value === '') {
    // Keytray reads `keytray_<key>` and falls back to `<key>`: a twin left behind would keep the
    // cleared value alive (a wired profile that still has a plain mfa_serial, say).
    doc.delete(section, target);
    if (definition) doc.delete(section, twin);
    return;
  }
  if ((doc.get(section, target) ?? '') !== value) doc.set(section, target, value);
  if (prefixed) doc.delete(section, twin);
}

/** The non-secret settings the edit form starts from. */
export function profileFormFields(profile: ProfileConfig): Record<string, string> {
  const fields: Record<string, string> = {};
  const put = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') fields[name] = String(value);
  };
  put('region', profile.region);
  put('mfaSerial', profile.mfaSerial);
  if (profile.kind === 'user') put('mfaProcess', profile.mfaProcess);
  else {
    put('roleArn', profile.roleArn);
    put('sourceProfile', profile.sourceProfile);
    put('externalId', profile.externalId);
    put('roleSessionName', profile.roleSessionName);
    put('durationSeconds', profile.durationSeconds);
  }
  return fields;
}
