import type { AwsConfig, DefinitionKey, ProfileConfig, RoleProfile, UserProfile } from '../config/awsConfig';
import { resolveProfileChain } from '../config/awsConfig';
import { validateExternalId, validateMfaSerial, validateRoleArn, validateRoleSessionName } from '../config/validation';
import { KeytrayError } from '../errors';

/**
 * A request's profile chain as one value: resolved once from the config, checked once, then passed
 * down to every step that needs it. Each hop is itself a chain (the part from that profile down to
 * the root), so a hop's session knows its own definition and region without asking the config again.
 *
 * The root is where credentials come from without another profile: today a user profile and its
 * long-term key. A new kind of root (an `sso` or `login` profile) is one more member of ProfileChain
 * with its own `kind`; the session engine's `rootSession` is where it then gets its credentials.
 */
export type ProfileChain = UserChain | RoleChain;

interface ChainHop {
  /**
   * What a session for this hop is made from: each hop's role, source, external id and MFA device,
   * from here down. Editing a profile changes it, so an edited profile is never served a session of
   * its old role. It is the settings themselves, not a hash: they are not secret.
   */
  definition: string;
  /** The first region named from this hop down; this hop's STS calls go there. */
  region?: string;
  /** The user profile at the bottom, whose long-term key the whole chain is made from. */
  root: UserProfile;
}

export interface UserChain extends ChainHop {
  kind: 'user';
  profile: UserProfile;
}

export interface RoleChain extends ChainHop {
  kind: 'role';
  profile: RoleProfile & { sourceProfile: string };
  /** The chain this role is assumed from. */
  source: ProfileChain;
}

/**
 * Resolves and checks `requested`'s chain. Every setting STS would be sent is checked here, before
 * any call, so a typo is reported as the key, the value's problem and the profile, never as a
 * puzzling answer from AWS (a malformed role ARN would read as a trust policy problem there).
 */
export function resolveChain(config: AwsConfig, requested: string): ProfileChain {
  const profiles = resolveProfileChain(config, requested);
  for (const profile of profiles) checkSettings(config, profile);
  // Built from the root up, so each hop holds the finished chain below it. The walk stops at the
  // first user profile and refuses a role without a source, so the root is last and roles are above.
  const parts = profiles.map(definitionParts);
  const definitionFrom = (i: number) => JSON.stringify(parts.slice(i));
  const last = profiles.length - 1;
  const root = profiles[last];
  if (root.kind !== 'user') throw new Error(`the chain of "${requested}" does not end at a user profile`);
  let chain: ProfileChain = { kind: 'user', profile: root, root, region: root.region, definition: definitionFrom(last) };
  for (let i = last - 1; i >= 0; i--) {
    const profile = profiles[i];
    if (profile.kind !== 'role') throw new Error(`"${profile.name}" is in the middle of a chain but is not a role`);
    const region: string | undefined = profile.region ?? chain.region;
    chain = { kind: 'role', profile: { ...profile, sourceProfile: chain.profile.name }, source: chain, root, region, definition: definitionFrom(i) };
  }
  return chain;
}

/** The chain's profiles from the requested one down to the root. */
export function profilesOf(chain: ProfileChain): ProfileConfig[] {
  const out: ProfileConfig[] = [];
  for (let hop: ProfileChain | undefined = chain; hop; hop = hop.kind === 'role' ? hop.source : undefined) out.push(hop.profile);
  return out;
}

function definitionParts(p: ProfileConfig): (string | undefined)[] {
  return p.kind === 'role' ? [p.name, p.roleArn, p.sourceProfile, p.externalId, p.mfaSerial] : [p.name, undefined, undefined, undefined, p.mfaSerial];
}

function checkSettings(config: AwsConfig, profile: ProfileConfig): void {
  if (profile.mfaSerial !== undefined) refuse(config, profile.name, 'mfa_serial', validateMfaSerial(profile.mfaSerial));
  if (profile.kind !== 'role') return;
  refuse(config, profile.name, 'role_arn', profile.roleArn === '' ? 'it is empty.' : validateRoleArn(profile.roleArn), 'like arn:aws:iam::123456789012:role/NAME');
  if (profile.externalId !== undefined) refuse(config, profile.name, 'external_id', validateExternalId(profile.externalId));
  if (profile.roleSessionName !== undefined) refuse(config, profile.name, 'role_session_name', validateRoleSessionName(profile.roleSessionName));
}

function refuse(config: AwsConfig, profile: string, key: DefinitionKey, problem: string | null, example?: string): void {
  if (problem === null) return;
  const at = config.locate(profile, key);
  const written = at?.key ?? key;
  const where = at?.line ? ` (${config.file} line ${at.line})` : '';
  throw new KeytrayError('config-invalid', `Profile "${profile}" has a bad ${written}${where}: ${problem.replace(/\.$/, '')}`, {
    profile,
    hint: `Fix ${written} in ${config.file}${example ? `; it looks ${example}` : ''}.`,
  });
}
