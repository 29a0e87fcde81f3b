import { KeytrayError } from '../errors';
import { editIniFile, FileFingerprint, fingerprintOf, readConfigFile, type EditOutcome } from './configFileWriter';
import { DEFAULT_SECTION, IniDocument } from './iniDocument';
import { shlexSplit } from './shlexSplit';
import { validateDurationSeconds } from './validation';

/**
 * The profiles in ~/.aws/config, read the way the AWS CLI reads them, plus Keytray's `keytray_`
 * keys: `keytray setup` renames a profile's definition keys so that the AWS CLI, which prefers a
 * profile's own role_arn over its credential_process, calls Keytray instead.
 *
 * A profile is one of a closed set of kinds, told apart by `kind`. A new kind (IAM Identity Center
 * `sso`, AWS Sign-In `login`) plugs in here: its own interface in the ProfileConfig union, the keys
 * that make readProfile choose it, then a root in core/sessions/profileChain.ts and the engine's
 * case for it. The compiler then points at every switch over `kind` that must learn it.
 */
interface ProfileSettings {
  name: string;
  region?: string;
  mfaSerial?: string;
  mfaProcess?: string;
  credentialProcess?: string;
  /** A role's session length; read on any profile so that a bad value is reported wherever it is. */
  durationSeconds?: number;
  /** Has `keytray_` keys, or a credential_process that runs Keytray. */
  managedByKeytray: boolean;
}

/** A profile that owns a long-term access key, stored in the keychain. */
export interface UserProfile extends ProfileSettings {
  kind: 'user';
}

/** A profile with a role_arn (prefixed or plain): assumed from its source_profile's credentials. */
export interface RoleProfile extends ProfileSettings {
  kind: 'role';
  /** As written; '' for an empty `role_arn =`, which is still a role profile (with a bad ARN). */
  roleArn: string;
  sourceProfile?: string;
  externalId?: string;
  roleSessionName?: string;
}

export type ProfileConfig = UserProfile | RoleProfile;

/** The keys `keytray setup` renames; Keytray reads `keytray_<key>` first, then `<key>`. */
export const DEFINITION_KEYS = [
  'role_arn',
  'source_profile',
  'mfa_serial',
  'external_id',
  'duration_seconds',
  'role_session_name',
] as const;
export type DefinitionKey = (typeof DEFINITION_KEYS)[number];

export const KEYTRAY_PREFIX = 'keytray_';

export function isDefinitionKey(key: string): key is DefinitionKey {
  return (DEFINITION_KEYS as readonly string[]).includes(key);
}

/** A parsed file together with what it looked like on disk, for a change-safe write later. */
export interface LoadedIniFile {
  file: string;
  document: IniDocument;
  fingerprint: FileFingerprint;
}

export class AwsConfig {
  readonly file: string;
  readonly document: IniDocument;
  /** What the file looked like when it was read. */
  readonly fingerprint: FileFingerprint;
  /**
   * The shared credentials file, when one was given. Its sections only make profiles exist (a
   * `[alice]` with keys and no config section is a user profile, as the AWS CLI lists it); Keytray
   * reads role and MFA settings from the config file only, where `keytray setup` can rewrite them.
   */
  readonly credentials?: LoadedIniFile;
  private profileIndex?: { version: number; sections: Map<string, string> };

  private constructor(config: LoadedIniFile, credentials?: LoadedIniFile) {
    this.file = config.file;
    this.document = config.document;
    this.fingerprint = config.fingerprint;
    this.credentials = credentials;
  }

  /** A missing file is an empty config, as it is for the AWS CLI. */
  static load(paths: { configFile: string; credentialsFile?: string }): AwsConfig {
    return new AwsConfig(loadIniFile(paths.configFile), paths.credentialsFile ? loadIniFile(paths.credentialsFile) : undefined);
  }

  static fromText(text: string, fileName: string, credentials?: { text: string; fileName: string }): AwsConfig {
    const config = { file: fileName, document: IniDocument.parse(text, fileName), fingerprint: fingerprintOf(text) };
    const creds = credentials && {
      file: credentials.fileName,
      document: IniDocument.parse(credentials.text, credentials.fileName),
      fingerprint: fingerprintOf(credentials.text),
    };
    return new AwsConfig(config, creds);
  }

  /** Config-file profiles in file order, then profiles that exist only in the credentials file. */
  profileNames(): string[] {
    const names = [...this.sections().keys()];
    if (this.credentials) {
      const known = new Set(names);
      for (const section of this.credentials.document.sectionNames()) if (!known.has(section) && isCredentialsProfile(section)) names.push(section);
    }
    return names;
  }

  has(name: string): boolean {
    return this.sections().has(name) || this.hasCredentialsSection(name);
  }

  /** The config-file section that defines a profile, e.g. `profile admin`; undefined if none. */
  sectionOf(name: string): string | undefined {
    return this.sections().get(name);
  }

  profile(name: string): ProfileConfig {
    const section = this.sections().get(name);
    if (section !== undefined) return readProfile(this.document, section, name);
    if (this.hasCredentialsSection(name)) return { name, managedByKeytray: false, kind: 'user' };
    throw unknownProfile(name, this.file);
  }

  /**
   * Edits the config file under its lock (see editIniFile): `change` gets the profiles as they are
   * on disk now and edits `config.document`, which is then written atomically. There is no save():
   * a config loaded earlier may be stale, and writing it back would lose someone's edit.
   */
  static edit<T>(configFile: string, change: (config: AwsConfig) => T): EditOutcome<T> {
    return editIniFile(configFile, (document) => change(new AwsConfig({ file: configFile, document, fingerprint: fingerprintOf(document.toString()) })));
  }

  /**
   * Where a profile's definition key is written, for a message that points at the line: the
   * `keytray_` key when that is the one Keytray reads. Undefined when the key is not in the file.
   */
  locate(name: string, key: DefinitionKey): { key: string; line?: number } | undefined {
    const section = this.sections().get(name);
    if (section === undefined) return undefined;
    const written = [KEYTRAY_PREFIX + key, key].find((k) => nonEmpty(this.document.get(section, k)) !== undefined) ??
      [KEYTRAY_PREFIX + key, key].find((k) => this.document.get(section, k) !== undefined);
    return written === undefined ? undefined : { key: written, line: this.document.lineOf(section, written) };
  }

  private hasCredentialsSection(name: string): boolean {
    return isCredentialsProfile(name) && (this.credentials?.document.hasSection(name) ?? false);
  }

  /** Profile name -> section, rebuilt only when the document was edited since. */
  private sections(): Map<string, string> {
    const version = this.document.version;
    if (!this.profileIndex || this.profileIndex.version !== version) {
      this.profileIndex = { version, sections: profileSections(this.document) };
    }
    return this.profileIndex.sections;
  }
}

/**
 * The profiles from `requested` down to the user profile that owns the long-term key, following
 * source_profile (the `keytray_` one first). A role profile needs a source_profile: Keytray assumes
 * roles from a stored key, so credential_source and web_identity_token_file are not supported.
 */
export function resolveProfileChain(config: AwsConfig, requested: string): ProfileConfig[] {
  const chain: ProfileConfig[] = [];
  const position = new Map<string, number>();
  let name = requested;
  let referrer: ProfileConfig | undefined;
  for (;;) {
    if (referrer && !config.has(name)) {
      throw new KeytrayError(
        'unknown-profile',
        `Profile "${referrer.name}" has source_profile "${name}", which is not in ${config.file}`,
        {
          profile: referrer.name,
          hint: `Add it with \`keytray add ${name}\`, or point source_profile at an existing profile.`,
        },
      );
    }
    const seenAt = position.get(name);
    if (seenAt !== undefined) {
      const cycle = [...chain.slice(seenAt).map((p) => p.name), name].join(' -> ');
      throw new KeytrayError('config-cycle', `Profile cycle: ${cycle} in ${config.file}`, {
        profile: requested,
        hint: 'Point the source_profile of one of them at the user profile that holds the access key.',
      });
    }
    const profile = config.profile(name);
    position.set(name, chain.length);
    chain.push(profile);
    if (profile.kind === 'user') return chain;
    if (!profile.sourceProfile) {
      const line = config.document.lineOf(config.sectionOf(name) ?? '');
      throw new KeytrayError(
        'config-invalid',
        `Profile "${name}" in ${config.file}${line ? ` (line ${line})` : ''} has a role_arn but no source_profile`,
        {
          profile: name,
          hint: 'Add source_profile = <the user profile whose key Keytray stores>; Keytray does not support credential_source or web_identity_token_file.',
        },
      );
    }
    referrer = profile;
    name = profile.sourceProfile;
  }
}

/** The section a new profile gets: `default` or `profile NAME` in the config file, the bare name in credentials. */
export function sectionNameFor(profileName: string, file: 'config' | 'credentials' = 'config'): string {
  return file === 'credentials' || profileName === 'default' ? profileName : `profile ${profileName}`;
}

/**
 * The profile a config-file section defines, as botocore's build_profile_map decides: see
 * botocoreSectionName. `[profile "my name"]` defines `my name`; `[ profile x]` defines nothing.
 */
export function profileNameOfSection(section: string): string | undefined {
  const named = botocoreSectionName(section);
  return named?.kind === 'profile' ? named.name : undefined;
}

/** In the credentials file every section is a profile, except configparser's [DEFAULT], which is never listed. */
function isCredentialsProfile(section: string): boolean {
  return section !== DEFAULT_SECTION;
}

export type BotocoreSectionKind = 'profile' | 'sso-session' | 'services';

/**
 * What botocore's build_profile_map makes of a section header: `[default]` is the default
 * profile; a header that starts with `profile`, `sso-session` or `services` (even `profilex y`)
 * is split with shlex and names something only when it splits into exactly two words. Anything
 * else (`[preview]`, `[ profile x]`, `[profile a b]`) is not a profile, session or services block.
 */
export function botocoreSectionName(section: string): { kind: BotocoreSectionKind; name: string } | undefined {
  for (const kind of ['profile', 'sso-session', 'services'] as const) {
    if (!section.startsWith(kind)) continue;
    const words = shlexSplit(section);
    return words?.length === 2 ? { kind, name: words[1] } : undefined;
  }
  return section === 'default' ? { kind: 'profile', name: 'default' } : undefined;
}

/**
 * Profile name -> section name in file order. When both `[default]` and `[profile default]` exist,
 * the later one wins, because botocore fills its profile map in file order and overwrites.
 */
export function profileSections(doc: IniDocument): Map<string, string> {
  const map = new Map<string, string>();
  for (const section of doc.sectionNames()) {
    const name = profileNameOfSection(section);
    if (name !== undefined) map.set(name, section);
  }
  return map;
}

/**
 * Whether a credential_process command runs Keytray: a `credential-process` argument preceded by
 * a program or script whose file name contains "keytray" (`/usr/local/bin/keytray`,
 * `"C:\Program Files\Keytray\Keytray.exe"`, `node /opt/keytray/bin/keytray.js`).
 */
export function isKeytrayCredentialProcess(command: string | undefined): boolean {
  if (!command) return false;
  const words = (command.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^(["'])(.*)\1$/, '$2'));
  const at = words.indexOf('credential-process');
  return at > 0 && words.slice(0, at).some((w) => /keytray/i.test(w.split(/[\\/]/).pop() ?? ''));
}

/**
 * Whether Keytray serves a section: it has `keytray_` keys, or a credential_process that runs
 * Keytray. Settings written into such a profile must be `keytray_` ones, or the AWS CLI would act on
 * them itself instead of calling Keytray.
 */
export function isManagedByKeytray(doc: IniDocument, section: string): boolean {
  return isKeytrayCredentialProcess(doc.get(section, 'credential_process')) || doc.keys(section).some((key) => key.startsWith(KEYTRAY_PREFIX));
}

/** A definition key's value as Keytray reads it: `keytray_<key>` first, then `<key>`. */
export function definitionValue(doc: IniDocument, section: string, key: DefinitionKey): string | undefined {
  return definitionEntry(doc, section, key)?.value;
}

/** definitionValue, with the key it was read from (for an error that names the line). */
function definitionEntry(doc: IniDocument, section: string, key: DefinitionKey): { value: string; key: string } | undefined {
  for (const k of [KEYTRAY_PREFIX + key, key]) {
    const value = nonEmpty(doc.get(section, k));
    if (value !== undefined) return { value, key: k };
  }
  return undefined;
}

/** Reads one profile's section. Throws 'config-invalid' for a bad duration_seconds, naming the line. */
export function readProfile(doc: IniDocument, section: string, name: string): ProfileConfig {
  const plain = (key: string): string | undefined => nonEmpty(doc.get(section, key));
  const definition = (key: DefinitionKey): string | undefined => definitionValue(doc, section, key);

  const settings: ProfileSettings = { name, managedByKeytray: isManagedByKeytray(doc, section) };
  const assign = <T extends object, K extends keyof T>(target: T, field: K, value: T[K] | undefined): void => {
    if (value !== undefined) target[field] = value;
  };
  assign(settings, 'region', plain('region'));
  assign(settings, 'mfaProcess', plain('mfa_process'));
  assign(settings, 'credentialProcess', plain('credential_process'));
  assign(settings, 'mfaSerial', definition('mfa_serial'));
  assign(settings, 'durationSeconds', durationOf(doc, section, name));

  // Any role_arn key makes a role profile, even an empty one: botocore decides by the key's
  // presence too, and reading `role_arn =` as a user profile would send the user after a key.
  const hasRoleArn = doc.get(section, KEYTRAY_PREFIX + 'role_arn') !== undefined || doc.get(section, 'role_arn') !== undefined;
  if (!hasRoleArn) return { ...settings, kind: 'user' };
  const role: RoleProfile = { ...settings, kind: 'role', roleArn: definition('role_arn') ?? '' };
  assign(role, 'sourceProfile', definition('source_profile'));
  assign(role, 'externalId', definition('external_id'));
  assign(role, 'roleSessionName', definition('role_session_name'));
  return role;
}

function durationOf(doc: IniDocument, section: string, name: string): number | undefined {
  const duration = definitionEntry(doc, section, 'duration_seconds');
  if (!duration) return undefined;
  const problem = validateDurationSeconds(duration.value);
  if (problem) {
    throw new KeytrayError(
      'config-invalid',
      `${doc.fileName} line ${doc.lineOf(section, duration.key)}, profile "${name}": ${problem.replace(/\.$/, '')}`,
      { profile: name, hint: 'Fix the value, e.g. duration_seconds = 3600 for one hour.' },
    );
  }
  return Number(duration.value);
}

export function unknownProfile(name: string, file: string): KeytrayError {
  const section = sectionNameFor(name);
  return new KeytrayError('unknown-profile', `Profile "${name}" is not in ${file}`, {
    profile: name,
    hint: `Add it with \`keytray add ${name}\`, or write a [${section}] section in ${file}.`,
  });
}

function loadIniFile(file: string): LoadedIniFile {
  const { text, fingerprint } = readConfigFile(file);
  return { file, document: IniDocument.parse(text, file), fingerprint };
}

/** An empty value (`mfa_serial =`) reads as not set, as botocore reads most keys. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
