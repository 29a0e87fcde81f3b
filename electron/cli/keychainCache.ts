import { credentialProcessOutput } from '../core/export/credentialDocument';
import { OsKeychainBackend } from '../core/keychain/secretBackend';
import { VaultStore } from '../core/keychain/vaultStore';
import { configStampOnDisk } from '../core/sessions/configStamp';
import { isServable } from '../core/sessions/sessionReuse';

/**
 * The credential-process fast path without an agent: a cached session straight from the keychain.
 * The config is not parsed: a session stamped with the config file's current mtime and size was
 * checked against it already (the full path re-stamps it after an unrelated edit). Returns null
 * whenever the full CLI must decide.
 */
export function cachedFromKeychain(profile: string, configFile: string): string | null {
  try {
    const session = new VaultStore(new OsKeychainBackend()).getSession(profile);
    return isServable(session, Date.now(), { configStamp: configStampOnDisk(configFile) }) ? credentialProcessOutput(session) : null;
  } catch {
    return null;
  }
}
