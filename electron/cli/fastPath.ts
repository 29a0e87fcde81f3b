import { requestThroughAgent } from '../agent/agentClient';
import { KeytrayError } from '../core/errors';
import { credentialDocument } from '../core/export/credentialDocument';
import { resolvePaths } from '../core/paths';
// In the same bundle: its code is small, and the keyring binding itself loads only when it is used.
import { cachedFromKeychain } from './keychainCache';

/**
 * `keytray credential-process PROFILE` as the AWS CLI runs it, once per command: a running agent
 * answers from memory; without one, a cached session comes straight from the keychain. Neither loads
 * the AWS SDK or commander. Returns null when the full CLI must take over (no agent and no usable
 * cached session, or something to explain).
 */
export async function fastCredentialDocument(profile: string): Promise<string | null> {
  const { dataDir, configFile } = resolvePaths();
  try {
    const viaAgent = await requestThroughAgent(dataDir, { profile }, {});
    if (viaAgent) {
      // Under the AWS CLI stderr is captured and shown as an error, so warnings go to terminals only.
      // process.stderr is touched only when there is something to say: creating the stream costs time.
      if (viaAgent.warnings.length > 0 && process.stderr.isTTY) for (const w of viaAgent.warnings) process.stderr.write(`${w}\n`);
      return `${JSON.stringify(credentialDocument(viaAgent.credentials))}\n`;
    }
  } catch (err) {
    // The agent answered with a failure (a wrong MFA code, an unknown profile): that is the answer.
    if (err instanceof KeytrayError) {
      process.stderr.write(`keytray: ${err.toLine()}\n`);
      process.exit(err.exitCode);
    }
    throw err;
  }
  return cachedFromKeychain(profile, configFile);
}
