import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from '../core/replaceFile';

/** How many recently used profiles are remembered; the tray shows the first five. */
export const RECENT_LIMIT = 20;
export const TRAY_RECENT_COUNT = 5;

export interface ProfileUsage {
  pinned: string[];
  /** Newest first. */
  recent: Array<{ profile: string; at: number }>;
}

/**
 * Which profiles the user pinned and which they used last, kept in Keytray's data directory so the
 * window and the tray put them first after a restart too. Names only, never a secret.
 */
export class ProfileUsageStore {
  constructor(private readonly dataDir: string) {}

  private get file(): string {
    return path.join(this.dataDir, 'profile-usage.json');
  }

  read(): ProfileUsage {
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<ProfileUsage>;
      return {
        pinned: Array.isArray(raw.pinned) ? raw.pinned.filter((p): p is string => typeof p === 'string') : [],
        recent: Array.isArray(raw.recent) ? raw.recent.filter((r) => typeof r?.profile === 'string' && typeof r?.at === 'number') : [],
      };
    } catch {
      // Missing or hand-broken: start with no pins rather than refuse to show the profiles.
      return { pinned: [], recent: [] };
    }
  }

  setPinned(profile: string, pinned: boolean): void {
    const usage = this.read();
    const rest = usage.pinned.filter((p) => p !== profile);
    this.write({ ...usage, pinned: pinned ? [...rest, profile] : rest });
  }

  markUsed(profile: string, at: number): void {
    const usage = this.read();
    this.write({ ...usage, recent: [{ profile, at }, ...usage.recent.filter((r) => r.profile !== profile)].slice(0, RECENT_LIMIT) });
  }

  forget(profile: string): void {
    const usage = this.read();
    this.write({ pinned: usage.pinned.filter((p) => p !== profile), recent: usage.recent.filter((r) => r.profile !== profile) });
  }

  private write(usage: ProfileUsage): void {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    replaceFile(this.file, `${JSON.stringify(usage)}\n`);
  }
}
