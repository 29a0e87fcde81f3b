import { AwsConfig } from '../config/awsConfig';
import type { SsoFlow, StoredSsoToken } from '../keychain/vaultStore';
import { clearSessionsBuiltOn } from '../keys/longTermKeys';
import type { Vault } from '../vault';
import { SsoAccountNames } from './ssoAccountNames';
import { ssoSession, ssoSessionNames, ssoSessionOfProfile, type SsoSessionConfig } from './ssoConfig';
import { describeSsoFailure } from './ssoFailures';
import type { AccountInfo } from './ssoGateway';
import { applyPopulate, planPopulate, type Assignment, type PopulatePlan } from './ssoPopulate';
import type { SignInOrigin } from './ssoSignin';

/**
 * What a person does to an IAM Identity Center session, written once for `keytray sso` and for
 * the app's window and tray: sign in, sign out, and populate the config with a profile per
 * assignment. Each caller only words the outcome.
 */

export interface SsoSignOutResult {
  session: SsoSessionConfig;
  hadToken: boolean;
  /** Profiles whose cached role credentials (or sessions assumed from them) were dropped. */
  clearedProfiles: string[];
}

/** Signs in again, whatever token is kept; the account names are learnt afterwards by the caller if it wants them. */
export function signInToSsoSession(vault: Vault, session: SsoSessionConfig, flow: SsoFlow, origin?: SignInOrigin): Promise<StoredSsoToken> {
  return vault.sso.signIn(session, flow, origin);
}

/**
 * Logout at the portal (best effort), the tokens and client registrations forgotten, and the role
 * credentials of every profile of the session dropped with whatever was assumed from them:
 * signing out means the signed-in user's credentials are gone, not only the token.
 */
export async function signOutOfSsoSession(vault: Vault, session: SsoSessionConfig): Promise<SsoSignOutResult> {
  const { hadToken } = await vault.sso.logout(session);
  const clearedProfiles: string[] = [];
  let config: AwsConfig | undefined;
  try {
    config = vault.loadConfig();
  } catch {
    // A file that no longer parses has no profiles to clear; the token is gone all the same.
  }
  for (const name of config ? profilesOfSsoSession(config, session) : []) {
    for (const cleared of clearSessionsBuiltOn(vault, name)) if (!clearedProfiles.includes(cleared)) clearedProfiles.push(cleared);
  }
  return { session, hadToken, clearedProfiles };
}

/** `keytray sso logout` with no name: every sso-session, and the legacy start URLs profiles carry themselves. */
export function ssoSessionsToSignOut(config: AwsConfig, sessionName?: string): SsoSessionConfig[] {
  if (sessionName) return [ssoSession(config, sessionName)];
  const sessions = ssoSessionNames(config).map((n) => ssoSession(config, n));
  for (const name of config.profileNames()) {
    const p = safeProfile(config, name);
    if (p?.kind === 'sso' && !p.ssoSession) sessions.push(ssoSessionOfProfile(config, p));
  }
  const seen = new Set<string>();
  return sessions.filter((s) => !seen.has(s.key) && seen.add(s.key));
}

/** The SSO profiles that sign in through the session, in config order. */
export function profilesOfSsoSession(config: AwsConfig, session: SsoSessionConfig): string[] {
  const names: string[] = [];
  for (const name of config.profileNames()) {
    const p = safeProfile(config, name);
    if (p?.kind !== 'sso') continue;
    try {
      if (ssoSessionOfProfile(config, p).key === session.key) names.push(name);
    } catch {
      // A profile whose own sso_* keys contradict the session is not one of its profiles.
    }
  }
  return names;
}

/** Every account and permission set the token's user is assigned (ListAccounts, ListAccountRoles, all pages). */
export async function listSsoAssignments(vault: Vault, session: SsoSessionConfig, accessToken: string): Promise<{ accounts: AccountInfo[]; assignments: Assignment[] }> {
  const gateway = vault.ssoGatewayFor(session.region);
  try {
    const accounts = await gateway.listAccounts(accessToken);
    const assignments: Assignment[] = [];
    for (const account of accounts) {
      for (const roleName of await gateway.listAccountRoles(accessToken, account.accountId)) assignments.push({ ...account, roleName });
    }
    return { accounts, assignments };
  } catch (err) {
    throw describeSsoFailure(err, session, 'ListAccounts');
  }
}

/** Lists the accounts and keeps their names for the window and the tray. */
export async function learnSsoAccountNames(vault: Vault, session: SsoSessionConfig, accessToken: string): Promise<AccountInfo[]> {
  const gateway = vault.ssoGatewayFor(session.region);
  let accounts: AccountInfo[];
  try {
    accounts = await gateway.listAccounts(accessToken);
  } catch (err) {
    throw describeSsoFailure(err, session, 'ListAccounts');
  }
  new SsoAccountNames(vault.paths.dataDir).remember(accounts);
  return accounts;
}

export interface PopulateOptions {
  prefix?: string;
  dryRun?: boolean;
  prune?: boolean;
  /** May a sign-in start when the session has no usable token (a browser, or the app's prompt window)? */
  allowSignIn: boolean;
  /** The launcher credential_process lines name; asked only when something is written. */
  launcher: () => string;
  origin?: SignInOrigin;
}

export interface PopulateOutcome {
  session: SsoSessionConfig;
  configFile: string;
  plan: PopulatePlan;
  dryRun: boolean;
  pruned: boolean;
}

/**
 * `keytray sso populate`: lists the assignments, then plans and applies under the config's edit
 * lock, on the file as it is then (listing took a while, and someone may have edited it meanwhile).
 * Pruning also drops the cached credentials of the profiles it removes.
 */
export async function populateSsoSession(vault: Vault, sessionName: string, options: PopulateOptions): Promise<PopulateOutcome> {
  const session = ssoSession(vault.loadConfig(), sessionName);
  const token = await vault.sso.accessToken(session, { allowSignIn: options.allowSignIn, origin: options.origin });
  const { accounts, assignments } = await listSsoAssignments(vault, session, token);
  new SsoAccountNames(vault.paths.dataDir).remember(accounts);
  const prefix = options.prefix ?? '';
  const configFile = vault.paths.configFile;
  const prune = !!options.prune;
  let plan!: PopulatePlan;
  if (options.dryRun) plan = planPopulate(vault.loadConfig(), session, assignments, prefix);
  else {
    const launcher = options.launcher();
    AwsConfig.edit(configFile, (config) => {
      plan = planPopulate(config, session, assignments, prefix);
      applyPopulate(config, session, plan, { prune, launcher });
    });
    if (prune) for (const g of plan.gone) vault.store.deleteSession(g.profile);
  }
  return { session, configFile, plan, dryRun: !!options.dryRun, pruned: prune };
}

function safeProfile(config: AwsConfig, name: string) {
  try {
    return config.profile(name);
  } catch {
    return undefined;
  }
}
