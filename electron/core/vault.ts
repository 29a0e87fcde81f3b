import * as path from 'node:path';
import { AwsConfig } from './config/awsConfig';
import { GenerationBumpingBackend, KeychainGeneration, generationFile } from './keychain/keychainGeneration';
import { OsKeychainBackend, keychainServiceFor, type SecretBackend } from './keychain/secretBackend';
import { VaultStore } from './keychain/vaultStore';
import { LoginSessions } from './login/loginSessions';
import { TotpReuseGuard } from './mfa/totpReuseGuard';
import { resolvePaths, type KeytrayPaths } from './paths';
import { ensurePrivateDirectory } from './privateDirectory';
import { configStampOnDisk } from './sessions/configStamp';
import { FileProfileLock } from './sessions/profileLock';
import { SessionEngine } from './sessions/sessionEngine';
import { loadSettings } from './settings';
import { canOpenBrowser, systemUrlOpener, type UrlOpener } from './browserSignin';
import { createSdkSsoGateway, ssoEndpointFor, type SsoGateway } from './sso/ssoGateway';
import { SsoSessionTokens } from './sso/ssoSessionTokens';
import type { SignInPresenter } from './sso/ssoSignin';
import { createSdkStsGateway, type StsGateway } from './sts/stsGateway';
import { systemClock, type Clock } from './types';

/** Everything core needs, wired once per process: the CLI, the agent and the app all start here. */
export interface Vault {
  paths: KeytrayPaths;
  store: VaultStore;
  engine: SessionEngine;
  /** `aws login` sessions: served from the keychain, refreshed under the profile's lock. */
  logins: LoginSessions;
  /** IAM Identity Center sign-ins and tokens, shared by the engine and `keytray sso`. */
  sso: SsoSessionTokens;
  ssoGatewayFor: (region: string) => SsoGateway;
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
  ssoFor?: (region: string) => SsoGateway;
  /** Opens sign-in pages; the system browser (honouring BROWSER) by default, Electron's shell in the app. */
  openUrl?: UrlOpener;
  /** Tells the user what a sign-in needs (the browser opening, a device code to confirm). */
  ssoPresenter?: SignInPresenter;
  /** How long a sign-in waits for the browser or the device confirmation. */
  ssoSignInTimeoutMs?: number;
}

/** Long enough to sign in with a password and an MFA device, short of the lock's 10-minute takeover. */
export const DEFAULT_SSO_SIGNIN_TIMEOUT_MS = 5 * 60 * 1000;

const silentPresenter: SignInPresenter = { begin: () => ({ browserOpening: () => undefined, deviceCode: () => undefined, end: () => undefined }) };

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
  const lock = new FileProfileLock(path.join(paths.dataDir, 'locks'));
  const logins = new LoginSessions({ store, lock, clock, env });
  const ssoGatewayFor = options.ssoFor ?? ((region: string) => createSdkSsoGateway(region, env));
  const sso = new SsoSessionTokens({
    store,
    clock,
    lock,
    gatewayFor: ssoGatewayFor,
    authorizeEndpointFor: (region) => ssoEndpointFor('SSO_OIDC', env) ?? `https://oidc.${region}.amazonaws.com`,
    openUrl: options.openUrl ?? systemUrlOpener({ env }),
    browserAvailable: () => !!options.openUrl || canOpenBrowser({ env }),
    presenter: options.ssoPresenter ?? silentPresenter,
    timeoutMs: options.ssoSignInTimeoutMs ?? DEFAULT_SSO_SIGNIN_TIMEOUT_MS,
  });
  const engine = new SessionEngine({
    loadConfig,
    store,
    stsFor: options.stsFor ?? ((region) => createSdkStsGateway(region, env)),
    guard: new TotpReuseGuard(path.join(paths.dataDir, 'mfa-used.json'), clock),
    clock,
    lock,
    logins,
    env,
    mfaSessionSeconds: () => loadSettings(paths.dataDir).mfaSessionSeconds,
    sso,
    ssoSignInAllowed: () => !!options.openUrl || canOpenBrowser({ env }),
  });
  return { paths, store, engine, logins, sso, ssoGatewayFor, clock, env, loadConfig };
}

function reuseWhileUnchanged(load: () => AwsConfig, files: string[]): () => AwsConfig {
  let last: { stamp: string; config: AwsConfig } | undefined;
  return () => {
    const stamp = files.map(configStampOnDisk).join('|');
    if (last?.stamp !== stamp) last = { stamp, config: load() };
    return last.config;
  };
}
