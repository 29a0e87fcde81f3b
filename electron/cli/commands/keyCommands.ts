import { AwsConfig, resolveProfileChain } from '../../core/config/awsConfig';
import { applyIncludeResolution, planIncludeResolution } from '../../core/config/awsVaultConventions';
import { readConfigFile, writeFileAtomically } from '../../core/config/configFileWriter';
import { IniDocument } from '../../core/config/iniDocument';
import { addProfileSection, listPlaintextCredentials, removeCredentialKeys } from '../../core/config/profileSetup';
import { validateProfileName } from '../../core/config/validation';
import { KeytrayError, maskAccessKeyId } from '../../core/errors';
import type { Vault } from '../../core/vault';
import { getVault } from '../cliContext';
import { openTerminal } from '../terminal';

/** Long-term keys start with AKIA; ASIA keys are temporary and must not be stored as long-term. */
const LONG_TERM_KEY_ID = /^AKIA[A-Z0-9]{12,124}$/;

export function validateLongTermKey(accessKeyId: string, secretAccessKey: string, profile: string): void {
  if (/^ASIA/.test(accessKeyId)) {
    throw new KeytrayError('usage', 'That is a temporary (ASIA…) session key, not a long-term IAM user key', {
      profile,
      hint: 'Store the IAM user\'s own access key; Keytray makes the sessions.',
    });
  }
  if (!LONG_TERM_KEY_ID.test(accessKeyId)) {
    throw new KeytrayError('usage', `"${maskAccessKeyId(accessKeyId)}" is not an AWS access key ID`, {
      profile,
      hint: 'Access key IDs start with AKIA followed by 16 upper-case letters and digits.',
    });
  }
  if (secretAccessKey.length < 16 || /\s/.test(secretAccessKey)) {
    throw new KeytrayError('usage', 'The secret access key is malformed', { profile, hint: 'Paste the 40-character secret exactly.' });
  }
}

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

/** Stores a key and drops every session made from the previous one. */
export function storeKey(vault: Vault, profile: string, accessKeyId: string, secretAccessKey: string): void {
  vault.store.setLongTermKey(profile, { accessKeyId, secretAccessKey, storedAt: Date.now() });
  clearSessionsBuiltOn(vault, profile);
}

/** Sessions of the profile and of every role whose chain passes through it. */
export function clearSessionsBuiltOn(vault: Vault, profile: string): string[] {
  const cleared = vault.store.clearSessions(profile);
  let config: AwsConfig;
  try {
    config = vault.loadConfig();
  } catch {
    return cleared;
  }
  for (const name of config.profileNames()) {
    if (name === profile) continue;
    try {
      if (resolveProfileChain(config, name).some((p) => p.name === profile)) cleared.push(...vault.store.clearSessions(name));
    } catch {
      // A broken chain elsewhere in the file is not this command's business.
    }
  }
  return cleared;
}

/** Adds `[profile NAME]` to the config file when missing, keeping every other byte. Returns true if added. */
export function ensureProfileSection(vault: Vault, profile: string): boolean {
  const { text, fingerprint } = readConfigFile(vault.paths.configFile);
  const doc = IniDocument.parse(text, vault.paths.configFile);
  const config = AwsConfig.fromText(text, vault.paths.configFile);
  if (config.has(profile)) return false;
  addProfileSection(doc, profile, []);
  writeFileAtomically(vault.paths.configFile, doc.toString(), fingerprint);
  return true;
}

export function assertValidProfileName(profile: string): void {
  const problem = validateProfileName(profile);
  if (problem) throw new KeytrayError('usage', problem, { hint: 'Profile names may use letters, digits and _ . @ + = , -' });
}

/**
 * Moves plaintext keys into the keychain. The AWS CLI reads keys from the credentials file and from
 * the config file, so both are swept; with --remove-plaintext both are rewritten without them.
 */
export async function importCommand(options: { file?: string; removePlaintext?: boolean; yes?: boolean }): Promise<void> {
  const vault = getVault();
  await resolveAwsVaultIncludes(vault, options);
  const sources = options.file
    ? [{ file: options.file, kind: 'credentials' as const }]
    : [
        { file: vault.paths.credentialsFile, kind: 'credentials' as const },
        { file: vault.paths.configFile, kind: 'config' as const },
      ];

  const found: Array<{ file: string; kind: 'credentials' | 'config'; section: string; profile: string; accessKeyId: string; secretAccessKey: string }> = [];
  const skipped: string[] = [];
  for (const source of sources) {
    const { text } = readConfigFile(source.file);
    const doc = IniDocument.parse(text, source.file);
    for (const entry of listPlaintextCredentials(doc)) {
      const profile = source.kind === 'config' ? profileOfConfigSection(entry.section) : entry.section;
      if (!profile) continue;
      if (entry.sessionToken || entry.accessKeyId.startsWith('ASIA')) {
        skipped.push(`${profile} (a temporary session key)`);
        continue;
      }
      found.push({ ...source, section: entry.section, profile, accessKeyId: entry.accessKeyId, secretAccessKey: entry.secretAccessKey });
    }
  }
  if (found.length === 0) {
    process.stdout.write(`No plaintext long-term keys found in ${sources.map((s) => s.file).join(' or ')}.\n`);
    return;
  }

  if (options.removePlaintext && !options.yes) await confirm(`Move ${found.length} key(s) into the keychain and delete them from the plaintext files?`);

  for (const k of found) {
    validateLongTermKey(k.accessKeyId, k.secretAccessKey, k.profile);
    storeKey(vault, k.profile, k.accessKeyId, k.secretAccessKey);
    ensureProfileSection(vault, k.profile);
    process.stdout.write(`Imported ${maskAccessKeyId(k.accessKeyId)} for profile "${k.profile}" from ${k.file}.\n`);
  }
  for (const s of skipped) process.stdout.write(`Skipped ${s}.\n`);

  if (options.removePlaintext) {
    // Verify the keychain holds every key before any plaintext copy is deleted: nothing may be lost.
    for (const k of found) {
      const stored = vault.store.getLongTermKey(k.profile);
      if (stored?.accessKeyId !== k.accessKeyId || stored.secretAccessKey !== k.secretAccessKey) {
        throw new KeytrayError('keychain-unavailable', 'The keychain did not keep the imported key, so the plaintext copy was left in place', {
          profile: k.profile,
        });
      }
    }
    for (const file of new Set(found.map((k) => k.file))) {
      const { text, fingerprint } = readConfigFile(file);
      const doc = IniDocument.parse(text, file);
      // A config-file profile keeps its (possibly now empty) section: `[profile x]` still defines it.
      for (const k of found.filter((f) => f.file === file)) removeCredentialKeys(doc, k.section, { keepEmptySection: k.kind === 'config' });
      writeFileAtomically(file, doc.toString(), fingerprint);
      process.stdout.write(`Removed the plaintext keys from ${file}.\n`);
    }
  } else {
    process.stdout.write('The plaintext copies are still on disk; run `keytray import --remove-plaintext` to delete them.\n');
  }
}

/**
 * aws-vault's include_profile / parent_profile (see awsVaultConventions): the inherited settings are
 * written into each profile, after a yes on the terminal or with --yes; problems are reported and
 * leave the file alone. The plaintext key import goes on either way.
 */
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

function profileOfConfigSection(section: string): string | null {
  if (section === 'default') return 'default';
  const m = /^profile\s+(.+)$/.exec(section);
  return m ? m[1].trim() : null;
}

export async function removeCommand(profile: string, options: { yes?: boolean }): Promise<void> {
  const vault = getVault();
  if (!options.yes) await confirm(`Delete the stored key and sessions of profile "${profile}"?`);
  const hadKey = vault.store.deleteLongTermKey(profile);
  const cleared = clearSessionsBuiltOn(vault, profile);
  if (!hadKey && cleared.length === 0) {
    throw new KeytrayError('no-stored-key', 'Nothing is stored for this profile', { profile, hint: 'See `keytray list`.' });
  }
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
