import { applyIncludeResolution, planIncludeResolution } from '../../core/config/awsVaultConventions';
import { readConfigFile, writeFileAtomically } from '../../core/config/configFileWriter';
import { IniDocument } from '../../core/config/iniDocument';
import { assertValidProfileName } from '../../core/config/profileSetup';
import { KeytrayError, maskAccessKeyId } from '../../core/errors';
import { clearSessionsBuiltOn, ensureProfileSection, storeKey, validateLongTermKey } from '../../core/keys/longTermKeys';
import { importPlaintextKeys, plaintextSources, scanPlaintextKeys } from '../../core/keys/plaintextImport';
import { removeStoredProfile } from '../../core/keys/removeStoredProfile';
import type { Vault } from '../../core/vault';
import { getVault } from '../cliContext';
import { openTerminal } from '../terminal';

export async function addCommand(profile: string, options: { env?: boolean; stdin?: boolean }): Promise<void> {
  assertValidProfileName(profile);
  if (options.env && options.stdin) throw new KeytrayError('usage', 'Use either --env or --stdin, not both', { profile });
  const vault = getVault();
  const { accessKeyId, secretAccessKey } = options.env
    ? keyFromEnvironment(profile)
    : options.stdin
      ? keyFromCredentialDocument(await readStdin(), profile)
      : await keyFromTerminal(profile);
  validateLongTermKey(accessKeyId, secretAccessKey, profile);
  storeKey(vault, profile, accessKeyId, secretAccessKey);
  const created = ensureProfileSection(vault, profile);
  process.stdout.write(
    `Stored access key ${maskAccessKeyId(accessKeyId)} for profile "${profile}" in the keychain.` +
      (created ? ` Added [${profile === 'default' ? 'default' : `profile ${profile}`}] to ${vault.paths.configFile}.` : '') +
      '\n',
  );
}

function keyFromEnvironment(profile: string): { accessKeyId: string; secretAccessKey: string } {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) {
    throw new KeytrayError('usage', '--env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment', { profile });
  }
  if (process.env.AWS_SESSION_TOKEN) {
    throw new KeytrayError('usage', 'AWS_SESSION_TOKEN is set, so the environment holds a temporary session, not a long-term key', {
      profile,
      hint: 'Unset AWS_SESSION_TOKEN and export the IAM user\'s own key.',
    });
  }
  return { accessKeyId, secretAccessKey };
}

/**
 * A credential_process document, as `aws-vault export --format=json --no-session` prints it:
 * {"Version":1,"AccessKeyId":"AKIA…","SecretAccessKey":"…"}. A SessionToken means a temporary
 * session, which must not be stored as a long-term key. Messages never quote the input: it is secret.
 */
export function keyFromCredentialDocument(text: string, profile: string): { accessKeyId: string; secretAccessKey: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const d = doc as Record<string, unknown> | undefined;
  if (!d || typeof d !== 'object' || Array.isArray(d) || typeof d.AccessKeyId !== 'string' || typeof d.SecretAccessKey !== 'string') {
    throw new KeytrayError('usage', 'stdin is not a credential_process JSON document with AccessKeyId and SecretAccessKey', {
      profile,
      hint: 'Pipe in e.g. `aws-vault export --no-session --format=json PROFILE`.',
    });
  }
  if (d.Version !== undefined && d.Version !== 1) throw new KeytrayError('usage', `The document on stdin has Version ${JSON.stringify(d.Version)}; only 1 is known`, { profile });
  if ((typeof d.SessionToken === 'string' && d.SessionToken !== '') || d.AccessKeyId.startsWith('ASIA')) {
    throw new KeytrayError('usage', 'The document on stdin holds a temporary session (it has a SessionToken), not a long-term key', {
      profile,
      hint: 'Export the long-term key, e.g. `aws-vault export --no-session --format=json PROFILE`.',
    });
  }
  return { accessKeyId: d.AccessKeyId.trim(), secretAccessKey: d.SecretAccessKey.trim() };
}

/** All of stdin; a key document is tiny, so anything over 64 KiB is a mistake, not a key. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > 65536) throw new KeytrayError('usage', 'stdin is larger than a credential document can be', { hint: 'Pipe in only the JSON document.' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function keyFromTerminal(profile: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const terminal = openTerminal();
  if (!terminal) {
    throw new KeytrayError('usage', 'No terminal to prompt for the key on', {
      profile,
      hint: 'Run from a terminal, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY and pass --env.',
    });
  }
  try {
    const accessKeyId = (await terminal.ask(`Access key ID for "${profile}": `)).trim();
    const secretAccessKey = (await terminal.ask('Secret access key (hidden): ', { hidden: true })).trim();
    return { accessKeyId, secretAccessKey };
  } finally {
    terminal.close();
  }
}

/**
 * Moves plaintext keys into the keychain. The AWS CLI reads keys from the credentials file and from
 * the config file, so both are swept; with --remove-plaintext both are rewritten without them.
 */
export async function importCommand(options: { file?: string; removePlaintext?: boolean; yes?: boolean }): Promise<void> {
  const vault = getVault();
  await resolveAwsVaultIncludes(vault, options);
  const sources = plaintextSources(vault, options.file);
  const scanned = scanPlaintextKeys(sources);
  const found = scanned.filter((k) => !k.temporary);
  const skipped = scanned.filter((k) => k.temporary).map((k) => `${k.profile} (a temporary session key)`);
  if (found.length === 0) {
    process.stdout.write(`No plaintext long-term keys found in ${sources.map((s) => s.file).join(' or ')}.\n`);
    for (const s of skipped) process.stdout.write(`Skipped ${s}.\n`);
    return;
  }

  if (options.removePlaintext && !options.yes) await confirm(`Move ${found.length} key(s) into the keychain and delete them from the plaintext files?`);

  const rewritten = importPlaintextKeys(vault, found, { removePlaintext: !!options.removePlaintext });
  for (const k of found) process.stdout.write(`Imported ${maskAccessKeyId(k.accessKeyId)} for profile "${k.profile}" from ${k.file}.\n`);
  for (const s of skipped) process.stdout.write(`Skipped ${s}.\n`);
  for (const file of rewritten) process.stdout.write(`Removed the plaintext keys from ${file}.\n`);
  if (!options.removePlaintext) process.stdout.write('The plaintext copies are still on disk; run `keytray import --remove-plaintext` to delete them.\n');
}

async function resolveAwsVaultIncludes(vault: Vault, options: { yes?: boolean }): Promise<void> {
  const file = vault.paths.configFile;
  const { text, fingerprint } = readConfigFile(file);
  const doc = IniDocument.parse(text, file);
  const { resolutions, problems } = planIncludeResolution(doc);
  for (const p of problems) process.stdout.write(`Cannot resolve: ${p.toLine()}\n`);
  if (resolutions.length === 0) return;
  for (const r of resolutions) {
    const settings = r.inherited.map((s) => `${s.key} = ${s.value}`).join(', ');
    process.stdout.write(`Profile "${r.profile}" inherits ${settings} through ${r.via.join(' -> ')} (aws-vault's ${r.includeKey}).\n`);
  }
  if (!options.yes) {
    const terminal = openTerminal();
    if (!terminal) {
      process.stdout.write(`Left ${file} unchanged; run \`keytray import --yes\` to write these settings into the profiles, so the AWS CLI and Keytray see them too.\n`);
      return;
    }
    try {
      const answer = (await terminal.ask(`Write them into the profiles in ${file}? aws-vault reads the same values either way. [y/N] `)).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        process.stdout.write(`Left ${file} unchanged.\n`);
        return;
      }
    } finally {
      terminal.close();
    }
  }
  applyIncludeResolution(doc, resolutions);
  writeFileAtomically(file, doc.toString(), fingerprint);
  process.stdout.write(`Wrote the inherited settings of ${resolutions.length} profile(s) into ${file}.\n`);
}

export async function removeCommand(profile: string, options: { yes?: boolean }): Promise<void> {
  const vault = getVault();
  if (!options.yes) await confirm(`Delete the stored key and sessions of profile "${profile}"?`);
  const { removedKey: hadKey, clearedSessions: cleared } = removeStoredProfile(vault, profile);
  process.stdout.write(`Removed ${hadKey ? 'the key and ' : ''}${cleared.length} cached session(s) for profile "${profile}".\n`);
}

export function clearCommand(profile: string | undefined): void {
  const vault = getVault();
  const cleared = profile ? clearSessionsBuiltOn(vault, profile) : vault.store.clearSessions();
  process.stdout.write(cleared.length ? `Cleared sessions: ${cleared.join(', ')}.\n` : 'No cached sessions to clear.\n');
}

async function confirm(question: string): Promise<void> {
  const terminal = openTerminal();
  if (!terminal) throw new KeytrayError('usage', `${question.replace(/\?$/, '')}: confirmation needed`, { hint: 'Pass --yes to confirm without a terminal.' });
  try {
    const answer = (await terminal.ask(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new KeytrayError('usage', 'Cancelled; nothing was changed');
  } finally {
    terminal.close();
  }
}
