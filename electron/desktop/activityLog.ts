import { appendActivity, readActivity } from '../core/activity/activityFile';
import type { ActivityEntry } from '../ipc/contract';
import { redactSecrets } from '../ipc/ipcDoor';

/**
 * What the app did and for whom: which process received which profile's credentials, and when.
 * Persisted in Keytray's data directory (core/activity/activityFile.ts) so it outlasts a restart
 * and `keytray activity` can print it; with no data directory (unit tests of other parts) it is
 * kept in memory only. Every summary and command line is redacted before it is kept anywhere.
 */
export class ActivityLog {
  private readonly entries: ActivityEntry[];
  private linesInFile: number;
  private readonly listeners = new Set<(entry: ActivityEntry) => void>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = 2000,
    private readonly dataDir?: string,
    private readonly onWriteError: (message: string) => void = () => undefined,
  ) {
    this.entries = dataDir ? readActivitySafely(dataDir, onWriteError) : [];
    this.linesInFile = this.entries.length;
  }

  record(entry: Omit<ActivityEntry, 'at'> & { at?: number }): ActivityEntry {
    const full: ActivityEntry = {
      ...entry,
      at: entry.at ?? this.now(),
      summary: redactSecrets(entry.summary),
      requester: entry.requester && {
        pid: entry.requester.pid,
        // A command line can be long (terraform with many flags) and could quote a key pasted on it.
        command: entry.requester.command === undefined ? undefined : redactSecrets(entry.requester.command).slice(0, 500),
      },
    };
    if (full.outcome === undefined) delete full.outcome;
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    if (this.dataDir) {
      try {
        this.linesInFile = appendActivity(this.dataDir, full, this.linesInFile);
      } catch (err) {
        // A full disk must not stop credentials being served; the entry stays in memory.
        this.onWriteError(`Could not write the activity log: ${(err as Error).message}`);
      }
    }
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Newest first, as the activity view lists them. */
  list(): ActivityEntry[] {
    return [...this.entries].reverse();
  }

  /** Told of each new entry (the window's pushed `activity.added`). */
  onRecord(listener: (entry: ActivityEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function readActivitySafely(dataDir: string, report: (message: string) => void): ActivityEntry[] {
  try {
    return readActivity(dataDir);
  } catch (err) {
    report(`Could not read the activity log: ${(err as Error).message}`);
    return [];
  }
}
