import { AwsConfig } from '../core/config/awsConfig';
import { credentialDocument } from '../core/export/credentialDocument';
import { OsKeychainBackend } from '../core/keychain/secretBackend';
import { VaultStore } from '../core/keychain/vaultStore';
import { resolvePaths } from '../core/paths';
import { definitionOf } from '../core/sessions/sessionDefinition';
import { REUSE_MARGIN_MS } from '../core/sessions/reuseMargin';

/**
 * `keytray credential-process PROFILE` on a cache hit: the AWS CLI runs this for every command, so it
 * loads only the config parser and the keychain binding, never the AWS SDK or commander. Anything
 * unusual (no session, a stale one, an error) returns null and the full CLI takes over and explains.
 */
export function cachedCredentialDocument(profile: string): string | null {
  try {
    const paths = resolvePaths();
    const config = AwsConfig.load({ configFile: paths.configFile });
    const session = new VaultStore(new OsKeychainBackend()).getSession(profile);
    if (!session || session.expiration - Date.now() <= REUSE_MARGIN_MS) return null;
    if (session.definition && session.definition !== definitionOf(config, profile)) return null;
    return `${JSON.stringify(credentialDocument(session))}\n`;
  } catch {
    return null;
  }
}
