import { sectionNameFor, type AwsConfig } from '../config/awsConfig';
import { credentialProcessLine } from '../config/credentialProcessSetup';
import { addProfileSection, applySetup } from '../config/profileSetup';
import { validateProfileName } from '../config/validation';
import { KeytrayError } from '../errors';
import type { SsoSessionConfig } from './ssoConfig';

/**
 * `keytray sso populate`: one profile per account and permission set the user is assigned,
 * written already wired to Keytray (credential_process plus keytray_sso_* keys), so the AWS CLI
 * never does an SSO sign-in of its own. Idempotent: an assignment that already has a profile of
 * this session (whatever its name) is left alone; profiles whose assignment is gone are reported,
 * and removed only when asked.
 */

export interface Assignment {
  accountId: string;
  accountName: string;
  roleName: string;
}

export interface PopulatePlan {
  add: Array<Assignment & { profile: string }>;
  kept: Array<Assignment & { profile: string }>;
  /** Profiles of this session that name an account and role no longer assigned. */
  gone: Array<{ profile: string; accountId: string; roleName: string }>;
  /** Assignments with no profile whose natural name is taken by an unrelated profile. */
  nameTaken: Array<Assignment & { profile: string }>;
}

/** `dev` + `AdministratorAccess` -> `dev-AdministratorAccess`; characters a profile name may not have become `-`. */
export function profileNameFor(prefix: string, a: Assignment): string {
  const clean = (s: string) => s.trim().replace(/[^A-Za-z0-9_.@+=,-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${prefix}${clean(a.accountName) || a.accountId}-${clean(a.roleName)}`;
}

export function planPopulate(config: AwsConfig, session: SsoSessionConfig, assignments: Assignment[], prefix: string): PopulatePlan {
  if (prefix && validateProfileName(`${prefix}x`) !== null) {
    throw new KeytrayError('usage', `--prefix "${prefix}" cannot start a profile name`, { hint: 'Use letters, digits and _ . @ + = , - only.' });
  }
  const ofSession = new Map<string, string>();
  for (const name of config.profileNames()) {
    let p;
    try {
      p = config.profile(name);
    } catch {
      continue; // a broken profile elsewhere must not stop populate
    }
    if (p.kind !== 'sso' || p.ssoSession !== session.name || !p.ssoAccountId || !p.ssoRoleName) continue;
    ofSession.set(`${p.ssoAccountId}/${p.ssoRoleName}`, name);
  }
  const plan: PopulatePlan = { add: [], kept: [], gone: [], nameTaken: [] };
  const wanted = new Set<string>();
  const taken = new Set(config.profileNames());
  for (const a of assignments) {
    const key = `${a.accountId}/${a.roleName}`;
    wanted.add(key);
    const existing = ofSession.get(key);
    if (existing) {
      plan.kept.push({ ...a, profile: existing });
      continue;
    }
    const profile = profileNameFor(prefix, a);
    if (taken.has(profile)) plan.nameTaken.push({ ...a, profile });
    else {
      plan.add.push({ ...a, profile });
      taken.add(profile);
    }
  }
  for (const [key, profile] of ofSession) {
    if (wanted.has(key)) continue;
    const [accountId, roleName] = key.split('/');
    plan.gone.push({ profile, accountId, roleName });
  }
  return plan;
}

/** Applies a plan to the config document (the caller saves it). Returns whether anything changed. */
export function applyPopulate(config: AwsConfig, session: SsoSessionConfig, plan: PopulatePlan, options: { prune: boolean; launcher: string }): boolean {
  let changed = false;
  for (const a of plan.add) {
    addProfileSection(config.document, a.profile, [
      ['sso_session', session.name!],
      ['sso_account_id', a.accountId],
      ['sso_role_name', a.roleName],
    ]);
    applySetup(config.document, a.profile, credentialProcessLine(options.launcher, a.profile));
    changed = true;
  }
  if (options.prune) {
    for (const g of plan.gone) {
      const section = config.sectionOf(g.profile) ?? sectionNameFor(g.profile);
      if (config.document.removeSection(section)) changed = true;
    }
  }
  return changed;
}

