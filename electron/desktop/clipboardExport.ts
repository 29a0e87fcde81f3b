/**
 * The clipboard as main sees it: Electron's `clipboard`, or a stand-in in tests and dev:web. Both
 * calls return promises, as Electron 45's do: a clear that is not awaited can lose the race with
 * Lock or Quit and leave credentials on the clipboard.
 */
export interface ClipboardLike {
  writeText(text: string): Promise<void>;
  readText(): Promise<string>;
}

export interface TimerLike {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const CLIPBOARD_CLEAR_MS = 30_000;

/**
 * Puts an env export on the clipboard and takes it off again after 30 s, so credentials do not sit
 * in clipboard history managers. It clears only if the clipboard still holds what Keytray put
 * there: whatever the user copied since is theirs.
 */
export class ExpiringClipboard {
  private pending: { handle: unknown; text: string } | null = null;

  constructor(
    private readonly clipboard: ClipboardLike,
    private readonly timers: TimerLike = nodeTimers,
    readonly clearAfterMs = CLIPBOARD_CLEAR_MS,
  ) {}

  /**
   * @param onClearFailed where a timed clear that failed is reported (nobody awaits it); a clear
   *   on Lock or Quit rejects to its caller instead.
   */
  async write(text: string, onClearFailed: (err: unknown) => void = () => {}): Promise<void> {
    this.cancelPending();
    await this.clipboard.writeText(text);
    const handle = this.timers.setTimeout(() => void this.clearIfUnchanged(text).catch(onClearFailed), this.clearAfterMs);
    this.pending = { handle, text };
  }

  /** Clears now (on lock or quit) if the clipboard still holds Keytray's text; resolves once it is cleared. */
  flush(): Promise<void> {
    return this.pending ? this.clearIfUnchanged(this.pending.text) : Promise.resolve();
  }

  private async clearIfUnchanged(text: string): Promise<void> {
    this.cancelPending();
    let now: string | null;
    try {
      now = await this.clipboard.readText();
    } catch {
      // Unreadable: clear anyway, since it may still hold the credentials.
      now = null;
    }
    if (now === text || now === null) await this.clipboard.writeText('');
  }

  private cancelPending(): void {
    if (this.pending) this.timers.clearTimeout(this.pending.handle);
    this.pending = null;
  }
}

const nodeTimers: TimerLike = {
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    // A pending clear must not keep a headless process (dev:web, tests) alive on its own.
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
