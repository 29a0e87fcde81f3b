import * as path from 'node:path';
import { AwsConfig } from './config/awsConfig';
import { GenerationBumpingBackend, KeychainGeneration, generationFile } from './keychain/keychainGeneration';
import { OsKeychainBackend, keychainServiceFor, type SecretBackend } from './keychain/secretBackend';
import { VaultStore } from './keychain/vaultStore';
import { TotpReuseGuard } from './mfa/totpReuseGuard';
import { resolvePaths, type KeytrayPaths } from './paths';
import { ensurePrivateDirectory } from './privateDirectory';
import { configStampOnDisk } from './sessions/configStamp';
import { FileProfileLock } from './sessions/profileLock';
import { SessionEngine } from './sessions/sessionEngine';
import { loadSettings } from './settings';
import { createSdkStsGateway, type StsGateway } from './sts/stsGateway';
import { systemClock, type Clock } from './types';

/** Everything core needs, wired once per process: the CLI, the agent and the app all start here. */
export interface Vault {
  paths: KeytrayPaths;
  store: VaultStore;
  engine: SessionEngine;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  loadConfig(): AwsConfig;
}

export interface VaultOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to the OS keychain, announcing writes to a running agent (see KeychainGeneration). */
  backend?: SecretBackend;
  clock?: Clock;
  stsFor?: (region: string) => StsGateway;
  /**
   * For long-lived hosts (the agent, the app): keep the parsed config while its files' mtime and
   * size are unchanged, so a cache hit does not re-parse ~/.aws/config. Callers must not edit it.
   */
  reuseUnchangedConfig?: boolean;
}

export function createVault(options: VaultOptions = {}): Vault {
  const env = options.env ?? process.env;
  const paths = resolvePaths(env);
  // Checked first, so that a bad KEYTRAY_HOME is one line before anything is done, never a failure
  // halfway through (a key stored, then its announcement to the agent refused).
  ensurePrivateDirectory(paths.dataDir);
  const clock = options.clock ?? systemClock;
  const backend = options.backend ?? new GenerationBumpingBackend(new OsKeychainBackend(keychainServiceFor(env)), new KeychainGeneration(generationFile(paths.dataDir)));
  const store = new VaultStore(backend);
  const loadFresh = () => AwsConfig.load({ configFile: paths.configFile, credentialsFile: paths.credentialsFile });
  const loadConfig = options.reuseUnchangedConfig ? reuseWhileUnchanged(loadFresh, [paths.configFile, paths.credentialsFile]) : loadFresh;
  const engine = new SessionEngine({
    loadConfig,
    store,
    stsFor: options.stsFor ?? ((region) => createSdkStsGateway(region, env)),
    guard: new TotpReuseGuard(path.join(paths.dataDir, 'mfa-used.json'), clock),
    clock,
    lock: new FileProfileLock(path.join(paths.dataDir, 'locks')),
    env,
    mfaSessionSeconds: () => loadSettings(paths.dataDir).mfaSessionSeconds,
  });
  return { paths, store, engine, clock, env, loadConfig };
}

function reuseWhileUnchanged(load: () => AwsConfig, files: string[]): () => AwsConfig {
  let last: { stamp: string; config: AwsConfig } | undefined;
  return () => {
    const stamp = files.map(configStampOnDisk).join('|');
    if (last?.stamp !== stamp) last = { stamp, config: load() };
    return last.config;
  };
}
