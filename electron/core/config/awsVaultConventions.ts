import { KeytrayError } from '../errors';
import { KEYTRAY_PREFIX, definitionValue, isDefinitionKey, isManagedByKeytray, profileSections } from './awsConfig';
import type { IniDocument } from './iniDocument';

/**
 * aws-vault's config conventions, for `keytray import`. aws-vault lets a profile take settings it
 * does not set itself from another profile: `include_profile = NAME` (and the older, deprecated
 * `parent_profile = NAME`, used only when include_profile is absent), recursively, and at the end
 * of that chain from `[default]`. The AWS CLI and Keytray read neither key, so a role that gets its
 * source_profile through include_profile would have none for them.
 *
 * Import resolves this the way aws-vault does (vault/config.go, populateFromConfigFile) and writes
 * the inherited settings into the profile itself. aws-vault reads the same values either way, so
 * nothing changes for it, and the include_profile line stays.
 */

/** The settings Keytray and the AWS CLI act on; others (sso_*, output) are left to their owners. */
export const INHERITABLE_KEYS = ['region', 'mfa_serial', 'mfa_process', 'role_arn', 'source_profile', 'external_id', 'role_session_name', 'duration_seconds'] as const;

export interface InheritedSetting {
  /** The key as it will be written: `keytray_`-prefixed in a profile that `keytray setup` manages. */
  key: string;
  value: string;
  /** The profile it comes from. */
  from: string;
}

export interface IncludeResolution {
  profile: string;
  section: string;
  /** The key that starts the chain: include_profile, or the deprecated parent_profile. */
  includeKey: 'include_profile' | 'parent_profile';
  /** The profiles visited after this one, in order, e.g. ['base', 'default']. */
  via: string[];
  inherited: InheritedSetting[];
}

export interface IncludePlan {
  resolutions: IncludeResolution[];
  /** Profiles whose chain cannot be followed (a missing profile, a cycle), one plain line each. */
  problems: KeytrayError[];
}

/** Every profile with include_profile or parent_profile, and what it inherits; nothing is changed. */
export function planIncludeResolution(doc: IniDocument): IncludePlan {
  const sections = profileSections(doc);
  const resolutions: IncludeResolution[] = [];
  const problems: KeytrayError[] = [];
  for (const [profile, section] of sections) {
    if (includeOf(doc, section) === undefined) continue;
    try {
      const r = resolveIncludedSettings(doc, profile, sections);
      if (r.inherited.length > 0) resolutions.push(r);
    } catch (err) {
      if (err instanceof KeytrayError) problems.push(err);
      else throw err;
    }
  }
  return { resolutions, problems };
}

/**
 * What `profile` inherits through include_profile / parent_profile and finally [default], in
 * aws-vault's order: the first profile in the chain that sets a key wins. A missing included
 * profile (aws-vault skips it silently) and a cycle (aws-vault: "Loop detected") are errors here,
 * because writing half a chain into the config would hide the mistake.
 */
export function resolveIncludedSettings(doc: IniDocument, profile: string, sections: Map<string, string> = profileSections(doc)): IncludeResolution {
  const section = sections.get(profile);
  if (section === undefined) throw new KeytrayError('unknown-profile', `Profile "${profile}" is not in ${doc.fileName}`, { profile });
  const managed = isManagedByKeytray(doc, section);
  const settled = new Set(INHERITABLE_KEYS.filter((k) => valueOf(doc, section, k) !== undefined));
  const inherited: InheritedSetting[] = [];
  const visited = [profile];
  const via: string[] = [];

  let current = section;
  let currentName = profile;
  for (;;) {
    const include = includeOf(doc, current);
    let next: string;
    if (include) next = include.name;
    else if (currentName !== 'default' && sections.has('default')) next = 'default';
    else break;

    if (visited.includes(next)) {
      throw new KeytrayError('config-cycle', `${include?.key ?? 'include_profile'} loops: ${[...visited, next].join(' -> ')} in ${doc.fileName}`, {
        profile,
        hint: 'Break the loop, then run `keytray import` again.',
      });
    }
    const nextSection = sections.get(next);
    if (nextSection === undefined) {
      throw new KeytrayError(
        'unknown-profile',
        `Profile "${currentName}" has ${include?.key ?? 'include_profile'} = ${next} (line ${doc.lineOf(current, include?.key)}), which is not in ${doc.fileName}`,
        { profile, hint: `Add [profile ${next}] or remove the ${include?.key ?? 'include_profile'} line, then run \`keytray import\` again.` },
      );
    }
    visited.push(next);
    via.push(next);
    for (const key of INHERITABLE_KEYS) {
      if (settled.has(key)) continue;
      const value = valueOf(doc, nextSection, key);
      if (value === undefined) continue;
      settled.add(key);
      // aws-vault ignores a source_profile that points back at the profile itself.
      if (key === 'source_profile' && value === profile) continue;
      inherited.push({ key: managed && isDefinitionKey(key) ? KEYTRAY_PREFIX + key : key, value, from: next });
    }
    current = nextSection;
    currentName = next;
  }
  return { profile, section, includeKey: includeOf(doc, section)?.key ?? 'include_profile', via, inherited };
}

/** Writes the inherited settings after each profile's last key; every other byte stays. */
export function applyIncludeResolution(doc: IniDocument, resolutions: IncludeResolution[]): void {
  for (const r of resolutions) for (const s of r.inherited) doc.set(r.section, s.key, s.value);
}

/** include_profile wins over the deprecated parent_profile, as in aws-vault. */
function includeOf(doc: IniDocument, section: string): { key: 'include_profile' | 'parent_profile'; name: string } | undefined {
  for (const key of ['include_profile', 'parent_profile'] as const) {
    const name = doc.get(section, key)?.trim();
    if (name) return { key, name };
  }
  return undefined;
}

/** A key's value, reading the `keytray_` twin of a definition key first, as Keytray does. */
function valueOf(doc: IniDocument, section: string, key: string): string | undefined {
  return isDefinitionKey(key) ? definitionValue(doc, section, key) : doc.get(section, key) || undefined;
}
