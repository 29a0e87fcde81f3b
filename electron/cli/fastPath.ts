import { requestThroughAgent } from '../agent/agentClient';
import { AwsConfig } from '../core/config/awsConfig';
import { KeytrayError } from '../core/errors';
import { credentialDocument } from '../core/export/credentialDocument';
import { OsKeychainBackend } from '../core/keychain/secretBackend';
import { VaultStore } from '../core/keychain/vaultStore';
import { resolvePaths } from '../core/paths';
import { REUSE_MARGIN_MS } from '../core/sessions/reuseMargin';
import { definitionOf } from '../core/sessions/sessionDefinition';

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
    if (viaAgent) return `${JSON.stringify(credentialDocument(viaAgent.credentials))}\n`;
  } catch (err) {
    // The agent answered with a failure (a wrong MFA code, an unknown profile): that is the answer.
    if (err instanceof KeytrayError) {
      process.stderr.write(`keytray: ${err.toLine()}\n`);
      process.exit(err.exitCode);
    }
    throw err;
  }
  try {
    const config = AwsConfig.load({ configFile });
    const session = new VaultStore(new OsKeychainBackend()).getSession(profile);
    if (!session || session.expiration - Date.now() <= REUSE_MARGIN_MS) return null;
    if (session.definition && session.definition !== definitionOf(config, profile)) return null;
    return `${JSON.stringify(credentialDocument(session))}\n`;
  } catch {
    return null;
  }
}
