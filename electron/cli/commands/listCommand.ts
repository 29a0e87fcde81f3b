import { buildProfileStatus, type ProfileStatus } from '../../core/profileStatus';
import { getVault } from '../cliContext';

export function listCommand(options: { json?: boolean }): void {
  const vault = getVault();
  const rows = buildProfileStatus(vault.loadConfig(), vault.store.inventory(), vault.clock.now());
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('No profiles yet. Add a key with `keytray add PROFILE`.\n');
    return;
  }
  const table = [['PROFILE', 'KIND', 'KEY', 'SOURCE', 'SESSION'], ...rows.map(row)];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`);
}

function row(s: ProfileStatus): string[] {
  return [
    s.name,
    s.kind,
    s.kind === 'user' ? (s.hasKey ? `yes ${s.accessKeyIdHint ?? ''}`.trim() : 'no') : s.kind === 'login' ? (s.sessionSecondsLeft === null ? 'not signed in' : 'signed in') : '-',
    s.sourceProfile ?? '-',
    sessionColumn(s),
  ];
}

/** A login profile's credentials last minutes; what the user plans around is the 12-hour sign-in. */
function sessionColumn(s: ProfileStatus): string {
  const credentials = s.sessionSecondsLeft === null ? '-' : s.sessionSecondsLeft <= 0 ? 'expired' : formatLeft(s.sessionSecondsLeft);
  if (s.kind !== 'login' || s.signInSecondsLeft === undefined || s.signInSecondsLeft === null) return credentials;
  return `${credentials} (sign-in ${s.signInSecondsLeft <= 0 ? 'ended' : `ends in ${formatLeft(s.signInSecondsLeft)}`})`;
}

export function formatLeft(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m`;
}
