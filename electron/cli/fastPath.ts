import { requestThroughAgent } from './agentClient';
import { KeytrayError } from '../core/errors';
import { credentialProcessOutput } from '../core/export/credentialDocument';
import { resolvePaths } from '../core/paths';
import { showWarnings } from './warningOutput';

/**
 * `keytray credential-process PROFILE` as the AWS CLI runs it, once per command: a running agent
 * answers from memory; without one, a cached session comes straight from the keychain. Neither loads
 * the AWS SDK or commander. Returns null when the full CLI must take over (no agent and no usable
 * cached session, or something to explain).
 */
export async function fastCredentialDocument(profile: string): Promise<string | null> {
  const paths = resolvePaths();
  try {
    const viaAgent = await requestThroughAgent(paths, { profile });
    if (viaAgent) {
      showWarnings(viaAgent.warnings);
      return credentialProcessOutput(viaAgent.credentials);
    }
  } catch (err) {
    // The agent answered with a failure (a wrong MFA code, an unknown profile): that is the answer.
    if (err instanceof KeytrayError) {
      process.stderr.write(`keytray: ${err.toLine()}\n`);
      process.exit(err.exitCode);
    }
    // Anything else is unexpected here: the full CLI does the work again and reports any failure
    // as one line, rather than this throwing past the program as an unhandled rejection.
    return null;
  }
  // A bundle of its own, loaded only when no agent answered: the agent's cache hit, the one with the
  // tightest budget (SPEC §6), then neither reads nor compiles the keychain code.
  const { cachedFromKeychain } = require('./keychainCache.bundle.js') as typeof import('./keychainCache');
  return cachedFromKeychain(profile, paths.configFile);
}
