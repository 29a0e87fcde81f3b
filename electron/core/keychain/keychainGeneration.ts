import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SecretBackend } from './secretBackend';
import { replaceFile } from '../replaceFile';
import { ensurePrivateDirectory } from '../privateDirectory';

/**
 * A marker file that changes whenever any Keytray process writes to the keychain. The agent keeps
 * sessions in memory (a cache hit must not pay a Secret Service round trip); it re-reads the marker
 * on each request and drops its memory when another process (`keytray clear`, `add`, the app) wrote.
 */
export class KeychainGeneration {
  constructor(private readonly file: string) {}

  read(): string {
    try {
      return fs.readFileSync(this.file, 'utf8');
    } catch {
      return '';
    }
  }

  bump(): string {
    const next = randomBytes(8).toString('hex');
    ensurePrivateDirectory(path.dirname(this.file));
    replaceFile(this.file, next);
    return next;
  }
}

/** Announces every write through the generation marker. */
export class GenerationBumpingBackend implements SecretBackend {
  constructor(
    protected readonly inner: SecretBackend,
    protected readonly generation: KeychainGeneration,
  ) {}
  get(account: string) {
    return this.inner.get(account);
  }
  set(account: string, value: string) {
    this.inner.set(account, value);
    this.generation.bump();
  }
  /**
   * Bumps even when nothing was deleted: `keytray clear` is what a user runs when the agent serves a
   * session it should not (an item removed outside Keytray, a marker write lost to a race), and the
   * keychain binding reports false when a retried delete finds the first attempt already did it.
   */
  delete(account: string) {
    const deleted = this.inner.delete(account);
    this.generation.bump();
    return deleted;
  }
  list() {
    return this.inner.list();
  }
}

/** The agent's view of the keychain: reads served from memory until someone else writes. */
export class MemoryCachedBackend implements SecretBackend {
  private readonly memory = new Map<string, string | null>();
  private seen: string;

  constructor(
    private readonly inner: SecretBackend,
    private readonly generation: KeychainGeneration,
  ) {
    this.seen = generation.read();
  }

  get(account: string): string | null {
    this.dropIfChangedElsewhere();
    if (this.memory.has(account)) return this.memory.get(account)!;
    const value = this.inner.get(account);
    this.memory.set(account, value);
    return value;
  }
  set(account: string, value: string): void {
    this.inner.set(account, value);
    this.remember(account, value);
  }
  delete(account: string): boolean {
    const deleted = this.inner.delete(account);
    this.remember(account, null);
    return deleted;
  }
  list() {
    return this.inner.list();
  }
  /** Forget everything held in memory (lock, sleep). */
  forget(): void {
    this.memory.clear();
  }

  /**
   * After our own write: bumping the marker would hide another process's write made since we last
   * looked (a `keytray clear` during a refresh), so that is checked first. It is checked after the
   * keychain call, not before, so a write that lands while ours is in flight is caught too; and then
   * our value is not kept either, since theirs may have landed after ours. What remains unguarded
   * is the moment between reading and replacing the marker, with no keychain call in it.
   */
  private remember(account: string, value: string | null): void {
    if (!this.dropIfChangedElsewhere()) this.memory.set(account, value);
    this.seen = this.generation.bump();
  }

  /** Returns true when another process wrote since we last looked (the memory is then empty). */
  private dropIfChangedElsewhere(): boolean {
    const now = this.generation.read();
    if (now === this.seen) return false;
    this.memory.clear();
    this.seen = now;
    return true;
  }
}

export function generationFile(dataDir: string): string {
  return path.join(dataDir, 'keychain-generation');
}
