import { KeytrayError, oneLine } from '../errors';
import { resolvePaths } from '../paths';

/**
 * The raw OS keychain, reduced to what Keytray needs. Kept as an interface so that core receives it
 * (STYLE: platform services are passed in); production and the integration tests use the real one.
 */
export interface SecretBackend {
  get(account: string): string | null;
  set(account: string, value: string): void;
  /** Returns false when there was nothing to delete. */
  delete(account: string): boolean;
  list(): Array<{ account: string; value: string }>;
}

export const KEYCHAIN_SERVICE = 'keytray';

/**
 * The keychain service name Keytray's items live under. A KEYTRAY_HOME makes a separate vault (its
 * own agent, locks and settings), so its keychain items are kept apart too: `keytray clear` in one
 * vault must never wipe another's sessions.
 */
export function keychainServiceFor(env: NodeJS.ProcessEnv = process.env): string {
  // The data directory exactly as paths.ts resolves it (`~` expanded), so one KEYTRAY_HOME is one
  // service name whatever the working directory.
  return env.KEYTRAY_HOME ? `${KEYCHAIN_SERVICE}@${resolvePaths(env).dataDir}` : KEYCHAIN_SERVICE;
}

export function keychainUnavailable(cause: unknown): KeytrayError {
  const detail = cause instanceof Error ? oneLine(cause.message) : String(cause);
  return new KeytrayError('keychain-unavailable', `The OS keychain is unavailable or locked (${detail})`, {
    hint:
      process.platform === 'linux'
        ? 'Unlock your login keyring; on Linux a Secret Service (gnome-keyring or KWallet) must be running on the session D-Bus.'
        : 'Unlock your login keychain and try again.',
    cause,
  });
}

/**
 * @napi-rs/keyring's index compiles a loader for every platform and first tries a .node file beside
 * itself, about 2 ms that every credential_process call without an agent would pay. The prebuilt
 * package for this platform exports the same binding, so it is required first; the index remains
 * the fallback for everything else (musl, other platforms, a missing optional package).
 */
export function loadKeyringBinding(): typeof import('@napi-rs/keyring') {
  const prebuilt = prebuiltBindingPackage(process.platform, process.arch);
  if (prebuilt) {
    try {
      return require(prebuilt) as typeof import('@napi-rs/keyring');
    } catch {
      // Not installed, or not loadable here (a glibc build on musl): the index knows every case.
    }
  }
  return require('@napi-rs/keyring') as typeof import('@napi-rs/keyring');
}

export function prebuiltBindingPackage(platform: NodeJS.Platform, arch: string): string | null {
  if (platform === 'linux') return `@napi-rs/keyring-linux-${arch}-gnu`;
  if (platform === 'darwin') return `@napi-rs/keyring-darwin-${arch}`;
  if (platform === 'win32') return `@napi-rs/keyring-win32-${arch}-msvc`;
  return null;
}

/**
 * The real keychain through @napi-rs/keyring (macOS Keychain, Windows Credential Manager, Linux Secret
 * Service). Loaded lazily: the native module costs a few milliseconds that a cache hit served by the
 * agent should not pay.
 */
export class OsKeychainBackend implements SecretBackend {
  private readonly keyring = loadKeyringBinding();

  constructor(private readonly service: string = keychainServiceFor()) {}

  /** One Entry per item: each holds its own Secret Service connection (~10 ms to open on Linux). */
  private readonly entries = new Map<string, import('@napi-rs/keyring').Entry>();

  /**
   * On Linux the binding otherwise falls back to the kernel keyring when no Secret Service answers:
   * keys would land in a store that vanishes at logout, and reads would quietly find nothing. Pinned
   * to the Secret Service, an unreachable or locked keyring throws instead.
   */
  private entry(account: string) {
    let entry = this.entries.get(account);
    if (!entry) {
      const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
      entry = new this.keyring.Entry(this.service, account, options);
      this.entries.set(account, entry);
    }
    return entry;
  }

  /**
   * Runs an operation on an item's entry. A kept connection can go stale (the keyring daemon
   * restarted under a long-lived agent), so a failure is retried once on a fresh one before it is
   * reported as an unavailable keychain.
   */
  private withEntry<T>(account: string, op: (entry: import('@napi-rs/keyring').Entry) => T): T {
    try {
      return op(this.entry(account));
    } catch {
      this.entries.delete(account);
      try {
        return op(this.entry(account));
      } catch (err) {
        this.entries.delete(account);
        throw keychainUnavailable(err);
      }
    }
  }

  get(account: string): string | null {
    const value = this.withEntry(account, (e) => e.getPassword());
    // Elsewhere @napi-rs/keyring returns null both for "no such item" and for "could not reach the
    // store"; findCredentials throws in the second case, so a locked keychain never reads as "no credentials".
    if (value === null && process.platform !== 'linux') this.list();
    return value;
  }

  set(account: string, value: string): void {
    this.withEntry(account, (e) => e.setPassword(value));
  }

  delete(account: string): boolean {
    return this.withEntry(account, (e) => e.deletePassword());
  }

  list(): Array<{ account: string; value: string }> {
    try {
      return this.keyring.findCredentials(this.service).map((c) => ({ account: c.account, value: c.password }));
    } catch (err) {
      throw keychainUnavailable(err);
    }
  }
}
