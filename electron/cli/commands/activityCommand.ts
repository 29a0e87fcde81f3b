import { readActivity } from '../../core/activity/activityFile';
import type { ActivityEntry } from '../../core/activity/activityShape';
import { cliPaths } from '../cliContext';

/**
 * `keytray activity [--json]`: the app's activity log, newest first: when, which profile, what
 * happened (failures and refusals marked), and which process asked. It reads the file the app
 * writes in the data directory; it never opens the keychain.
 */
export function activityCommand(options: { json?: boolean }): void {
  const entries = readActivity(cliPaths().dataDir).reverse();
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return;
  }
  if (entries.length === 0) {
    process.stdout.write('No activity yet. The Keytray app records which process received which profile\'s credentials.\n');
    return;
  }
  for (const e of entries) process.stdout.write(`${line(e)}\n`);
}

function line(e: ActivityEntry): string {
  const when = new Date(e.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const mark = e.outcome === 'failed' ? 'FAILED  ' : e.outcome === 'refused' ? 'REFUSED ' : '';
  const who = e.requester ? `  [pid ${e.requester.pid}${e.requester.command ? ` ${e.requester.command}` : ''}]` : '';
  return `${when}  ${(e.profile ?? '-').padEnd(16)}  ${mark}${e.summary}${who}`;
}
