import { createHash } from 'node:crypto';
import type { AwsConfig, SsoProfile } from '../config/awsConfig';
import { KeytrayError } from '../errors';

/**
 * IAM Identity Center settings as the AWS CLI reads them: `[sso-session NAME]` sections
 * (sso_start_url, sso_region, sso_registration_scopes) named by a profile's `sso_session`, or the
 * legacy form with sso_start_url and sso_region on the profile itself. An SSO profile adds
 * sso_account_id and sso_role_name.
 */

export interface SsoSessionConfig {
  /**
   * Names the session's keychain items and lock: the sso-session name, or for the legacy form
   * `legacy-` and a hash of the start URL (the AWS CLI's legacy cache is keyed by the URL too).
   */
  key: string;
  /** The sso-session name; undefined for the legacy form. */
  name?: string;
  startUrl: string;
  region: string;
  /** Legacy sessions register no scopes, and IAM Identity Center then issues no refresh token. */
  scopes: string[];
  /** What a user runs to sign in again, for hints. */
  loginCommand: string;
}

export interface SsoRoleTarget {
  profile: string;
  session: SsoSessionConfig;
  accountId: string;
  roleName: string;
}

const SESSION_SECTION = /^sso-session\s+(\S+)$/;

/** The `[sso-session NAME]` names in file order. */
export function ssoSessionNames(config: AwsConfig): string[] {
  const names: string[] = [];
  for (const section of config.document.sectionNames()) {
    const m = SESSION_SECTION.exec(section);
    if (m) names.push(m[1]);
  }
  return names;
}

export function ssoSession(config: AwsConfig, name: string, referrer?: string): SsoSessionConfig {
  const section = `sso-session ${name}`;
  const doc = config.document;
  if (!doc.hasSection(section)) {
    const where = referrer ? `Profile "${referrer}" has sso_session = ${name}, but` : `There is`;
    throw new KeytrayError('config-invalid', `${where} no [sso-session ${name}] section in ${config.file}`, {
      profile: referrer,
      hint: `Add [sso-session ${name}] with sso_start_url and sso_region, or fix the name; known sessions: ${ssoSessionNames(config).join(', ') || 'none'}.`,
    });
  }
  const read = (key: string) => nonEmpty(doc.get(section, key));
  const startUrl = read('sso_start_url');
  const region = read('sso_region');
  const line = doc.lineOf(section);
  const missing = [startUrl ? undefined : 'sso_start_url', region ? undefined : 'sso_region'].filter(Boolean);
  if (missing.length > 0) {
    throw new KeytrayError('config-invalid', `[sso-session ${name}] in ${config.file} (line ${line}) has no ${missing.join(' and no ')}`, {
      profile: referrer,
      hint: 'Add sso_start_url = https://<your-portal>.awsapps.com/start and sso_region = <the region of IAM Identity Center>.',
    });
  }
  const scopes = (read('sso_registration_scopes') ?? 'sso:account:access')
    .split(/[\s,]+/)
    .filter(Boolean);
  return { key: name, name, startUrl: startUrl!, region: region!, scopes, loginCommand: `keytray sso login ${name}` };
}

/** The session an SSO profile signs in with: its sso-session, or the legacy keys on the profile. */
export function ssoSessionOfProfile(config: AwsConfig, profile: SsoProfile): SsoSessionConfig {
  if (profile.ssoSession) {
    const session = ssoSession(config, profile.ssoSession, profile.name);
    // botocore refuses a profile whose own sso_start_url or sso_region contradicts its session's.
    for (const [key, own, theirs] of [
      ['sso_start_url', profile.ssoStartUrl, session.startUrl],
      ['sso_region', profile.ssoRegion, session.region],
    ] as const) {
      if (own !== undefined && own !== theirs) {
        throw new KeytrayError('config-invalid', `Profile "${profile.name}" has ${key} = ${own}, but [sso-session ${profile.ssoSession}] has ${theirs}`, {
          profile: profile.name,
          hint: `Remove ${key} from the profile; the sso-session section is what counts.`,
        });
      }
    }
    return session;
  }
  const missing = [profile.ssoStartUrl ? undefined : 'sso_start_url', profile.ssoRegion ? undefined : 'sso_region'].filter(Boolean);
  if (missing.length > 0) {
    const line = config.document.lineOf(config.sectionOf(profile.name) ?? '');
    throw new KeytrayError('config-invalid', `Profile "${profile.name}" in ${config.file}${line ? ` (line ${line})` : ''} has no sso_session and no ${missing.join(' and no ')}`, {
      profile: profile.name,
      hint: 'Add sso_session = <name> with an [sso-session <name>] section (sso_start_url, sso_region), as `aws configure sso` writes it.',
    });
  }
  const hash = createHash('sha1').update(profile.ssoStartUrl!).digest('hex').slice(0, 16);
  return { key: `legacy-${hash}`, startUrl: profile.ssoStartUrl!, region: profile.ssoRegion!, scopes: [], loginCommand: `keytray sso login --profile ${profile.name}` };
}

/** Everything needed to fetch an SSO profile's role credentials; one line naming what is missing otherwise. */
export function ssoRoleTarget(config: AwsConfig, profile: SsoProfile): SsoRoleTarget {
  const session = ssoSessionOfProfile(config, profile);
  const missing = [profile.ssoAccountId ? undefined : 'sso_account_id', profile.ssoRoleName ? undefined : 'sso_role_name'].filter(Boolean);
  if (missing.length > 0) {
    const line = config.document.lineOf(config.sectionOf(profile.name) ?? '');
    throw new KeytrayError('config-invalid', `Profile "${profile.name}" in ${config.file}${line ? ` (line ${line})` : ''} has no ${missing.join(' and no ')}`, {
      profile: profile.name,
      hint: `Add the account and permission set it should use, or run \`keytray sso populate ${session.name ?? '<session>'}\` to write a profile per assignment.`,
    });
  }
  if (!/^\d{12}$/.test(profile.ssoAccountId!)) {
    throw new KeytrayError('config-invalid', `Profile "${profile.name}" has sso_account_id = ${profile.ssoAccountId}, which is not a 12-digit account ID`, {
      profile: profile.name,
      hint: 'Write the account ID with all 12 digits.',
    });
  }
  return { profile: profile.name, session, accountId: profile.ssoAccountId!, roleName: profile.ssoRoleName! };
}

/** The session `keytray sso login|logout` acts on: the one named, a profile's, or the only one. */
export function ssoSessionForCommand(config: AwsConfig, args: { session?: string; profile?: string }): SsoSessionConfig {
  if (args.session && args.profile) throw new KeytrayError('usage', 'Give either SESSION or --profile, not both');
  if (args.profile) {
    const p = config.profile(args.profile);
    if (p.kind !== 'sso') {
      throw new KeytrayError('usage', `Profile "${p.name}" is not an IAM Identity Center profile`, { profile: p.name, hint: 'Name a profile with sso_session (or sso_start_url), or the sso-session itself.' });
    }
    return ssoSessionOfProfile(config, p);
  }
  if (args.session) return ssoSession(config, args.session);
  const names = ssoSessionNames(config);
  if (names.length === 1) return ssoSession(config, names[0]);
  throw new KeytrayError('usage', names.length === 0 ? `There is no [sso-session NAME] section in ${config.file}` : 'Name the sso-session to use', {
    hint: names.length === 0 ? 'Add one with sso_start_url and sso_region, as `aws configure sso` writes it.' : `One of: ${names.join(', ')}.`,
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
