import { keychainUnavailable, loadKeyringBinding, type SecretBackend } from './secretBackend';
import type { KeychainGeneration } from './keychainGeneration';

/**
 * The keychain as the desktop app holds it, so that its main thread (which also draws the windows
 * and the tray) never waits on a Secret Service, Keychain or Credential Manager round trip:
 *
 * - Keytray's items are read once, asynchronously (@napi-rs/keyring's async API runs on libuv's
 *   thread pool), into a snapshot. `get` and `list`, which the session engine and the profile
 *   list call synchronously, answer from it.
 * - Writes update the snapshot at once and reach the keychain asynchronously, one after the other
 *   in the order they were made. `settled()` resolves when every write so far has landed, and
 *   rejects with the first that failed; the app awaits it before it reports a change as done.
 * - Other processes (`keytray add`, `clear`, a headless agent) announce their writes through the
 *   generation marker. The app watches it and calls `reload()`; should a read come first, that one
 *   read goes to the keychain synchronously, so a cleared session is never served from memory.
 */
export interface AsyncKeychain {
  list(): Promise<Array<{ account: string; value: string }>>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export class SnapshotKeychainBackend implements SecretBackend {
  private snapshot = new Map<string, string>();
  /** Generation the snapshot reflects; null until the first read, or after a write failed. */
  private seen: string | null = null;
  /** Writes made but not yet landed, by account (null: a delete), laid over any re-read. */
  private readonly inFlight = new Map<string, { value: string | null; seq: number }>();
  private seq = 0;
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  constructor(
    private readonly keychain: AsyncKeychain,
    /** The synchronous keychain, for the one read that cannot wait (see `current`). */
    private readonly blocking: Pick<SecretBackend, 'list'>,
    private readonly generation: KeychainGeneration,
    private readonly onWriteFailed: (err: unknown) => void = () => {},
  ) {}

  /** Reads every item off the main thread. Call at start and whenever the generation marker moves. */
  async reload(): Promise<void> {
    const generation = this.generation.read();
    const items = await this.keychain.list().catch((err: unknown) => {
      throw keychainUnavailable(err);
    });
    this.replaceSnapshot(items, generation);
  }

  /** Whether another process wrote since the snapshot was taken (the app then calls `reload`). */
  isStale(): boolean {
    return this.seen === null || this.generation.read() !== this.seen;
  }

  get(account: string): string | null {
    this.current();
    return this.snapshot.get(account) ?? null;
  }

  list(): Array<{ account: string; value: string }> {
    this.current();
    return [...this.snapshot].map(([account, value]) => ({ account, value }));
  }

  set(account: string, value: string): void {
    this.current();
    this.snapshot.set(account, value);
    this.write(account, value, () => this.keychain.set(account, value));
  }

  delete(account: string): boolean {
    this.current();
    const existed = this.snapshot.delete(account);
    this.write(account, null, () => this.keychain.delete(account).then(() => undefined));
    return existed;
  }

  /** Resolves once every write made so far is in the keychain; rejects with the first that failed. */
  async settled(): Promise<void> {
    await this.queue;
    const failure = this.failure;
    this.failure = null;
    if (failure !== null) throw failure;
  }

  private current(): void {
    if (!this.isStale()) return;
    const generation = this.generation.read();
    this.replaceSnapshot(this.blocking.list(), generation);
  }

  private replaceSnapshot(items: Array<{ account: string; value: string }>, generation: string): void {
    const next = new Map(items.map((i) => [i.account, i.value] as const));
    // A write still on its way is newer than what the keychain returned.
    for (const [account, { value }] of this.inFlight) {
      if (value === null) next.delete(account);
      else next.set(account, value);
    }
    this.snapshot = next;
    this.seen = generation;
  }

  private write(account: string, value: string | null, op: () => Promise<void>): void {
    const seq = ++this.seq;
    this.inFlight.set(account, { value, seq });
    this.queue = this.queue.then(async () => {
      try {
        await op();
        // Another process's write since our last look must not be hidden by our bump: then the
        // snapshot is marked stale and re-read, as MemoryCachedBackend does.
        const changedElsewhere = this.generation.read() !== this.seen;
        const next = this.generation.bump();
        this.seen = changedElsewhere ? null : next;
      } catch (err) {
        const error = keychainUnavailable(err);
        this.failure ??= error;
        // What the keychain holds is no longer what the snapshot says: read it again.
        this.seen = null;
        this.onWriteFailed(error);
      } finally {
        if (this.inFlight.get(account)?.seq === seq) this.inFlight.delete(account);
      }
    });
  }
}

/** The OS keychain through @napi-rs/keyring's asynchronous API. */
export class OsAsyncKeychain implements AsyncKeychain {
  private readonly keyring = loadKeyringBinding();

  constructor(private readonly service: string) {}

  async list(): Promise<Array<{ account: string; value: string }>> {
    const found = await this.keyring.findCredentialsAsync(this.service);
    return found.map((c) => ({ account: c.account, value: c.password }));
  }

  set(account: string, value: string): Promise<void> {
    return this.entry(account).setPassword(value);
  }

  delete(account: string): Promise<boolean> {
    return this.entry(account).deletePassword();
  }

  /** Pinned to the Secret Service on Linux, as OsKeychainBackend is: never the kernel keyring. */
  private entry(account: string) {
    const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
    return new this.keyring.AsyncEntry(this.service, account, options);
  }
}
