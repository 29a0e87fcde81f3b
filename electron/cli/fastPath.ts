import { requestThroughAgent } from './agentClient';
import { KeytrayError } from '../core/errors';
import { credentialProcessOutput } from '../core/export/credentialDocument';
import { resolvePaths, type KeytrayPaths } from '../core/paths';
import { showWarnings } from './warningOutput';

/**
 * `keytray credential-process PROFILE` as the AWS CLI runs it, once per command: a running agent
 * answers from memory; without one, a cached session comes straight from the keychain. Neither loads
 * the AWS SDK or commander. Returns null when the full CLI must take over (no agent and no usable
 * cached session, or something to explain).
 */
export async function fastCredentialDocument(profile: string): Promise<string | null> {
  const paths = resolvePaths();
  const viaAgent = await agentCredentialDocument(profile, paths);
  if (viaAgent !== null) return viaAgent;
  // A bundle of its own, loaded only when no agent answered: the agent's cache hit, the one with the
  // tightest budget, then neither reads nor compiles the keychain code.
  const { cachedFromKeychain } = require('./keychainCache.bundle.js') as typeof import('./keychainCache');
  return cachedFromKeychain(profile, paths.configFile);
}

/**
 * The running agent's answer alone, or null when no agent answered. The CLI binary on macOS and
 * Windows stops here: it never reads the keychain itself (keychainAccessPolicy.ts).
 */
export async function agentCredentialDocument(profile: string, paths: KeytrayPaths = resolvePaths()): Promise<string | null> {
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
  }
  return null;
}
