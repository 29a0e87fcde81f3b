import { buildProfileStatus, type ProfileStatus } from '../../core/profileStatus';
import { buildSsoSessionStatus, type SsoSessionStatus } from '../../core/sso/ssoSessionStatus';
import { getVault } from '../cliContext';

export function listCommand(options: { json?: boolean }): void {
  const vault = getVault();
  const config = vault.loadConfig();
  const inventory = vault.store.inventory();
  const rows = buildProfileStatus(config, inventory, vault.clock.now());
  const ssoSessions = buildSsoSessionStatus(config, inventory.ssoTokens, vault.clock.now());
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
  for (const s of ssoSessions) process.stdout.write(`IAM Identity Center: ${s.name} ${ssoState(s)}\n`);
}

function ssoState(s: SsoSessionStatus): string {
  if (s.problem) return `cannot be used: ${s.problem}`;
  if (s.secondsLeft === null) return `not signed in (keytray sso login ${s.name})`;
  if (s.secondsLeft <= 0) return s.renews ? 'signed in, renews at next use' : `sign-in ended (keytray sso login ${s.name})`;
  return `signed in, ${formatLeft(s.secondsLeft)} left`;
}

function row(s: ProfileStatus): string[] {
  return [
    s.name,
    s.kind,
    s.kind === 'user' ? (s.hasKey ? `yes ${s.accessKeyIdHint ?? ''}`.trim() : 'no') : s.kind === 'login' ? (s.sessionSecondsLeft === null ? 'not signed in' : 'signed in') : '-',
    s.kind === 'sso' ? `sso:${s.ssoSession ?? 'legacy'}` : (s.sourceProfile ?? '-'),
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
