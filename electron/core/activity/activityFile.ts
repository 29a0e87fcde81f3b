import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from '../replaceFile';
import { ACTIVITY_KINDS, ACTIVITY_OUTCOMES, type ActivityEntry } from './activityShape';

/** The log keeps this many entries; older ones are dropped when the file is compacted. */
export const ACTIVITY_CAPACITY = 2000;

/**
 * The activity log on disk, in Keytray's data directory: one JSON object per line, appended as
 * things happen, so the app can be restarted (or `keytray activity` run) without losing the record
 * of which process received which profile's credentials. It holds no secret; it is still 0600,
 * because command lines and profile names are nobody else's business.
 */
export function activityFile(dataDir: string): string {
  return path.join(dataDir, 'activity.jsonl');
}

/** Oldest first; lines that are not an entry (a torn write, a hand edit) are skipped, not fatal. */
export function readActivity(dataDir: string): ActivityEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(activityFile(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries: ActivityEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as ActivityEntry;
      if (isEntry(e)) entries.push(e);
    } catch {
      // skipped: see above
    }
  }
  return entries.slice(-ACTIVITY_CAPACITY);
}

/**
 * Appends one entry. Past one and a half times the capacity the file is rewritten with the newest
 * entries only, so it stays bounded without a rewrite on every line.
 */
export function appendActivity(dataDir: string, entry: ActivityEntry, linesInFile: number): number {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = activityFile(dataDir);
  if (linesInFile + 1 > ACTIVITY_CAPACITY * 1.5) {
    const kept = [...readActivity(dataDir), entry].slice(-ACTIVITY_CAPACITY);
    replaceFile(file, kept.map((e) => JSON.stringify(e)).join('\n') + '\n');
    return kept.length;
  }
  fs.appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  return linesInFile + 1;
}

function isEntry(e: unknown): e is ActivityEntry {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  return (
    typeof x.at === 'number' &&
    typeof x.summary === 'string' &&
    (ACTIVITY_KINDS as readonly unknown[]).includes(x.kind) &&
    (x.outcome === undefined || (ACTIVITY_OUTCOMES as readonly unknown[]).includes(x.outcome))
  );
}
