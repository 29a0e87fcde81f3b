import type { AwsConfig } from '../config/awsConfig';
import { resolveProfileChain } from '../config/awsConfig';

/**
 * A fingerprint of what a session was made from (each hop's role, source, external id and MFA
 * device). Editing a profile invalidates its cached session instead of serving the old role. The
 * credential-process fast path does not compute it: it trusts a session stamped with the config
 * file's current mtime and size (see configStamp.ts), which the engine gives only after checking this.
 * It is the settings themselves, not a hash: they are not secret, and hashing would load node:crypto
 * on every cache hit.
 */
export function definitionOf(config: AwsConfig, profileName: string): string {
  const parts = resolveProfileChain(config, profileName).map((p) =>
    p.kind === 'sso' ? [p.name, p.ssoSession, p.ssoStartUrl, p.ssoAccountId, p.ssoRoleName] : [p.name, p.roleArn, p.sourceProfile, p.externalId, p.mfaSerial],
  );
  return JSON.stringify(parts);
}

