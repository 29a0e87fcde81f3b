import type { ActivityEntry } from '../ipc/contract';
import { redactSecrets } from '../ipc/ipcDoor';

/**
 * What the app did and for whom: which process received which profile's credentials, and when
 * (docs/architecture.md, Desktop and agent). Kept in memory only: it names profiles and command lines, which are not secrets but
 * are nobody else's business, and a restart starting with an empty log is what users expect.
 */
export class ActivityLog {
  private readonly entries: ActivityEntry[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = 500,
  ) {}

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
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return full;
  }

  /** Newest first, as the activity view lists them. */
  list(): ActivityEntry[] {
    return [...this.entries].reverse();
  }
}
