import type { AwsConfig } from '../config/awsConfig';
import { resolveProfileChain } from '../config/awsConfig';

/**
 * A fingerprint of what a session was made from (each hop's role, source, external id and MFA
 * device). Editing a profile invalidates its cached session instead of serving the old role.
 * Separate from the engine so the credential-process fast path can check it without loading STS code.
 * It is the settings themselves, not a hash: they are not secret, and hashing would load node:crypto
 * on every cache hit.
 */
export function definitionOf(config: AwsConfig, profileName: string): string {
  const parts = resolveProfileChain(config, profileName).map((p) => [p.name, p.roleArn, p.sourceProfile, p.externalId, p.mfaSerial]);
  return JSON.stringify(parts);
}

