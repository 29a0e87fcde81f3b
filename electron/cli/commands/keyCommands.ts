import * as fs from 'node:fs';
import { applyIncludeResolution, planIncludeResolution } from '../../core/config/awsVaultConventions';
import { editIniFile, readConfigFile } from '../../core/config/configFileWriter';
import { IniDocument } from '../../core/config/iniDocument';
import { assertValidProfileName } from '../../core/config/profileSetup';
import { KeytrayError, maskAccessKeyId } from '../../core/errors';
import { validateMfaSerial, validateRegion } from '../../core/config/validation';
import {
  addOrReplaceLongTermKey,
  clearSessionsBuiltOn,
  isRefusal,
  refusalError,
  userProfileHeader,
  writeUserProfile,
  type KeyStoreRequest,
  type UserProfileSettings,
} from '../../core/keys/longTermKeys';
import { importPlaintextKeys, plaintextSources, scanPlaintextKeys, storedKeyItWouldReplace } from '../../core/keys/plaintextImport';
import { removeStoredProfile } from '../../core/keys/removeStoredProfile';
import { createSdkStsGateway } from '../../core/sts/stsGateway';
import { assertKnownProfile } from '../../core/profileStatus';
import type { Vault } from '../../core/vault';
import { getVault } from '../cliContext';
import { openTerminal } from '../terminal';

export interface AddOptions {
  env?: boolean;
  stdin?: boolean;
  replace?: boolean;
  /** commander's `--no-verify` sets this to false. */
  verify?: boolean;
  mfaSerial?: string;
  region?: string;
}

export async function addCommand(profile: string, options: AddOptions): Promise<void> {
  assertValidProfileName(profile);
  if (options.env && options.stdin) throw new KeytrayError('usage', 'Use either --env or --stdin, not both', { profile });
  const settings = profileSettingsFromOptions(profile, options);
  const vault = getVault();
  // A config Keytray could not write, or a role's profile, is reported before anything is typed.
  const current = vault.loadConfig();
  if (current.sectionOf(profile) !== undefined && current.profile(profile).kind === 'role') {
    throw new KeytrayError('config-invalid', `Profile "${profile}" is a role profile (it has a role_arn), so it uses its source profile's key, not one of its own`, {
      profile,
      hint: 'Store the key under the user profile that source_profile names.',
    });
  }
  const { accessKeyId, secretAccessKey } = options.env
    ? keyFromEnvironment(profile)
    : options.stdin
      ? keyFromCredentialDocument(await readStdin(), profile)
      : await keyFromTerminal(profile);
  const request: KeyStoreRequest = {
    profile,
    accessKeyId,
    secretAccessKey,
    replace: !!options.replace,
    verify: options.verify !== false,
    stsFor: (region) => createSdkStsGateway(region, vault.env),
  };
  let outcome = await addOrReplaceLongTermKey(vault, request);
  if (outcome.kind === 'refused-needs-confirmation' && (await confirmReplacement(profile, outcome.storedAccessKeyId, accessKeyId))) {
    outcome = await addOrReplaceLongTermKey(vault, { ...request, replace: true });
  }
  if (isRefusal(outcome)) throw refusalError(outcome, profile, { confirm: 'Pass --replace', skipVerification: 'pass --no-verify' });

  const { added, setKeys } = writeUserProfile(vault.paths.configFile, profile, settings);
  const masked = maskAccessKeyId(accessKeyId);
  const what =
    outcome.kind === 'replaced'
      ? `Replaced access key ${maskAccessKeyId(outcome.previousAccessKeyId)} of profile "${profile}" with ${masked}` +
        (outcome.identity ? `, which AWS says belongs to ${outcome.identity}` : ', unchecked (--no-verify)') +
        (outcome.previousKeyFailed ? '; AWS no longer accepted the old key' : '')
      : outcome.kind === 'unchanged'
        ? `Access key ${masked} was already stored for profile "${profile}"`
        : `Stored access key ${masked} for profile "${profile}" in the keychain`;
  const config = added
    ? ` Added ${userProfileHeader(profile)} to ${vault.paths.configFile}.`
    : setKeys.length
      ? ` Set ${setKeys.join(', ')} in ${userProfileHeader(profile)} of ${vault.paths.configFile}.`
      : '';
  process.stdout.write(`${what}.${config}\n`);
}

/** --mfa-serial and --region, checked before anything is typed or stored. */
function profileSettingsFromOptions(profile: string, options: AddOptions): UserProfileSettings {
  const settings: UserProfileSettings = {};
  if (options.mfaSerial !== undefined) {
    const problem = validateMfaSerial(options.mfaSerial.trim());
    if (problem) throw new KeytrayError('usage', `--mfa-serial: ${problem.replace(/\.$/, '')}`, { profile });
    settings.mfaSerial = options.mfaSerial.trim();
  }
  if (options.region !== undefined) {
    const problem = validateRegion(options.region.trim());
    if (problem) throw new KeytrayError('usage', `--region: ${problem.replace(/\.$/, '')}`, { profile });
    settings.region = options.region.trim();
  }
  return settings;
}

/** Asks on the terminal; with none, the caller refuses and says to pass --replace. */
async function confirmReplacement(profile: string, storedAccessKeyId: string, accessKeyId: string): Promise<boolean> {
  const terminal = openTerminal();
  if (!terminal) return false;
  try {
    const answer = (
      await terminal.ask(`Profile "${profile}" already has access key ${maskAccessKeyId(storedAccessKeyId)}. Replace it with ${maskAccessKeyId(accessKeyId)}? [y/N] `)
    )
      .trim()
      .toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new KeytrayError('usage', `Cancelled; the stored key ${maskAccessKeyId(storedAccessKeyId)} was kept`, { profile });
    return true;
  } finally {
    terminal.close();
  }
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
  // A missing default file just means no plaintext keys; a file the user named must exist, or a
  // typo in the path would read as "nothing to import" and exit 0.
  if (options.file !== undefined) assertFileToImport(options.file);
  const vault = getVault();
  await resolveAwsVaultIncludes(vault, options);
  // aws login sessions are moved, not copied: see loginCacheImport.ts.
  await (await import('./loginCommands')).importLoginCacheCommand(vault);
  const sources = plaintextSources(vault, options.file);
  const scanned = scanPlaintextKeys(sources);
  const skipped: string[] = [];
  const found = scanned.filter((k) => {
    if (k.temporary) {
      skipped.push(`${k.profile} (a temporary session key)`);
      return false;
    }
    const stored = storedKeyItWouldReplace(vault, k);
    if (stored) {
      skipped.push(`${k.profile} (access key ${maskAccessKeyId(stored)} is stored and ${k.file} holds another one, ${maskAccessKeyId(k.accessKeyId)}; \`keytray add ${k.profile} --replace\` replaces it after checking it with AWS)`);
      return false;
    }
    return true;
  });
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

function assertFileToImport(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeytrayError('io', code === 'ENOENT' ? `${file} does not exist` : `Cannot read ${file}: ${code ?? String(err)}`, {
      hint: 'Check the path given to --file, or leave --file out to read AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials).',
    });
  }
  if (!stat.isFile()) throw new KeytrayError('io', `${file} is not a file`, { hint: 'Pass the credentials file itself to --file.' });
}

async function resolveAwsVaultIncludes(vault: Vault, options: { yes?: boolean }): Promise<void> {
  const file = vault.paths.configFile;
  const doc = IniDocument.parse(readConfigFile(file).text, file);
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
  // Planned again under the lock, on the file as it is now: the answer above may have taken a while.
  const { result: written } = editIniFile(file, (current) => {
    const plan = planIncludeResolution(current).resolutions;
    applyIncludeResolution(current, plan);
    return plan.length;
  });
  process.stdout.write(`Wrote the inherited settings of ${written} profile(s) into ${file}.\n`);
}

export async function removeCommand(profile: string, options: { yes?: boolean }): Promise<void> {
  const vault = getVault();
  assertKnownProfile(vault, profile);
  if (!options.yes) await confirm(`Delete the stored key and sessions of profile "${profile}"?`);
  const { removedKey: hadKey, forgotSignIn, clearedSessions: cleared } = await removeStoredProfile(vault, profile);
  process.stdout.write(`Removed ${hadKey ? 'the key and ' : ''}${forgotSignIn ? 'the sign-in session and ' : ''}${cleared.length} cached session(s) for profile "${profile}".\n`);
}

export function clearCommand(profile: string | undefined): void {
  const vault = getVault();
  if (profile !== undefined) assertKnownProfile(vault, profile);
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
