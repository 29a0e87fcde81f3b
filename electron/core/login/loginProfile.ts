import { AwsConfig, isKeytrayCredentialProcess, KEYTRAY_LOGIN_SESSION_KEY, LOGIN_SESSION_KEY, sectionNameFor } from '../config/awsConfig';
import type { IniDocument } from '../config/iniDocument';
import { assertValidProfileName } from '../config/profileSetup';
import { credentialProcessLine } from '../config/credentialProcessSetup';
import { KeytrayError } from '../errors';

/**
 * A login profile in ~/.aws/config names its principal: `login_session = arn:aws:iam::…:user/alice`,
 * as `aws login` writes it. Served by Keytray it holds `keytray_login_session` instead, beside
 * `credential_process`: botocore prefers login_session over credential_process and the JS SDK the
 * other way round, so a profile with both would be served by different tools in different clients.
 */

/** The principal a section's login profile names (Keytray's key first), or undefined. */
export function loginSessionOf(doc: IniDocument, section: string): string | undefined {
  for (const key of [KEYTRAY_LOGIN_SESSION_KEY, LOGIN_SESSION_KEY]) {
    const v = doc.get(section, key);
    if (v) return v;
  }
  return undefined;
}

/** Keys that would make a login profile mean something else to the AWS CLI or to Keytray. */
const CONFLICTING_KEYS = ['role_arn', 'keytray_role_arn', 'sso_session', 'sso_start_url', 'keytray_sso_session', 'keytray_sso_start_url', 'web_identity_token_file', 'credential_source'];

export interface WiredLoginProfile {
  created: boolean;
  changed: boolean;
  /** The principal the profile named before, when the browser signed in someone else. */
  replacedPrincipal?: string;
}

/**
 * Writes a profile as Keytray serves a login session: `keytray_login_session = PRINCIPAL` (a plain
 * `login_session` renamed in place) and `credential_process`. A new profile also gets the region
 * the person signed in to. Every other byte of the file stays.
 */
export function wireLoginProfile(configFile: string, profile: string, principal: string, region: string, launcher: string): WiredLoginProfile {
  assertValidProfileName(profile);
  const command = credentialProcessLine(launcher, profile);
  // Under the config lock, on the file as it is now: this edit may run again after an outside write.
  const { result, changed } = AwsConfig.edit(configFile, (config) => {
    const doc = config.document;
    const section = config.sectionOf(profile);
    if (section === undefined) {
      doc.addSection(sectionNameFor(profile), [
        [KEYTRAY_LOGIN_SESSION_KEY, principal],
        ['region', region],
        ['credential_process', command],
      ]);
      return { created: true };
    }
    assertCanServeLogin(config, profile, command);
    const named = loginSessionOf(doc, section);
    if (doc.get(section, KEYTRAY_LOGIN_SESSION_KEY) !== undefined) doc.delete(section, LOGIN_SESSION_KEY);
    else doc.rename(section, LOGIN_SESSION_KEY, KEYTRAY_LOGIN_SESSION_KEY);
    doc.set(section, KEYTRAY_LOGIN_SESSION_KEY, principal);
    doc.set(section, 'credential_process', command);
    return { created: false, ...(named && named !== principal ? { replacedPrincipal: named } : {}) };
  });
  return { ...result, changed };
}

/**
 * Refuses a profile that is something else (a role, SSO, another tool's credential_process), before
 * the person is sent to the browser for nothing. `command` is Keytray's own line, which may stay.
 */
export function assertCanServeLogin(config: AwsConfig, profile: string, command?: string): void {
  const doc = config.document;
  const section = config.sectionOf(profile);
  if (section === undefined) return;
  for (const key of CONFLICTING_KEYS) {
    if (doc.get(section, key) !== undefined) {
      throw new KeytrayError('config-invalid', `Profile "${profile}" in ${doc.fileName} (line ${doc.lineOf(section, key)}) has ${key}, so it is not a sign-in profile`, {
        profile,
        hint: 'Sign in with a profile of its own, e.g. `keytray login web`, and point source_profile at it.',
      });
    }
  }
  const existing = doc.get(section, 'credential_process');
  if (existing && existing !== command && !isKeytrayCredentialProcess(existing)) {
    throw new KeytrayError('config-invalid', `Profile "${profile}" in ${doc.fileName} (line ${doc.lineOf(section, 'credential_process')}) already has its own credential_process`, {
      profile,
      hint: "Keytray will not replace another tool's credential_process; remove that line first, or sign in with another profile name.",
    });
  }
}
