import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { AwsConfig, LOGIN_SESSION_KEY } from '../config/awsConfig';
import { KeytrayError, oneLine } from '../errors';
import type { StoredLoginSession } from '../keychain/vaultStore';
import { homeDir } from '../paths';
import { regionFor } from '../sts/endpoints';
import type { Vault } from '../vault';
import { wireLoginProfile } from './loginProfile';
import { isUsableDpopKey } from './signinProtocol';

/**
 * Moving `aws login` sessions out of the AWS CLI's plaintext cache (~/.aws/login/cache/*.json,
 * named by the SHA-256 of the login_session ARN; 0644 when the JS SDK writes it) into the keychain.
 *
 * A session is moved, never copied: its refresh token rotates on every refresh and AWS ends a
 * session whose rotated-away token comes back, so a copy left on disk would sooner or later end the
 * session for Keytray (or hand it to whoever reads the file).
 */

export interface LoginCacheEntry {
  file: string;
  /** The profile that will own the session: the first in the config whose login_session names it. */
  profile?: string;
  /** Other profiles naming the same session; one refresh token cannot serve two owners. */
  alsoNamedBy: string[];
  loginSession?: string;
  session?: StoredLoginSession;
  /** Why it cannot be imported, as a sentence. */
  problem?: string;
}

export function loginCacheDir(env: NodeJS.ProcessEnv): string {
  return env.AWS_LOGIN_CACHE_DIRECTORY || path.join(homeDir(env), '.aws', 'login', 'cache');
}

export function scanLoginCache(config: AwsConfig, env: NodeJS.ProcessEnv): LoginCacheEntry[] {
  const dir = loginCacheDir(env);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new KeytrayError('io', `Cannot read ${dir} (${oneLine((err as Error).message)})`, { hint: 'Check its permissions.' });
  }
  // The cache names files after the ARN, so only a profile's login_session says whose a file is.
  const byHash = new Map<string, { profile: string; arn: string }[]>();
  for (const name of config.profileNames()) {
    const section = config.sectionOf(name);
    const arn = section === undefined ? undefined : config.document.get(section, LOGIN_SESSION_KEY);
    if (!arn) continue;
    const hash = createHash('sha256').update(arn).digest('hex');
    byHash.set(hash, [...(byHash.get(hash) ?? []), { profile: name, arn }]);
  }
  return names.map((name) => {
    const file = path.join(dir, name);
    const owners = byHash.get(name.slice(0, -'.json'.length)) ?? [];
    const entry: LoginCacheEntry = { file, alsoNamedBy: owners.slice(1).map((o) => o.profile) };
    if (owners.length === 0) return { ...entry, problem: `no profile in ${config.file} has the login_session it belongs to` };
    const { profile, arn } = owners[0];
    const region = regionFor(config.profile(profile).region, env);
    const parsed = parseCacheFile(file, arn, region);
    return typeof parsed === 'string' ? { ...entry, profile, loginSession: arn, problem: parsed } : { ...entry, profile, loginSession: arn, session: parsed };
  });
}

/** What the AWS CLI and the JS SDK write; other fields (idToken, tokenType, accountId) are not needed. */
const cacheFileSchema = z.object({
  accessToken: z.object({
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(1),
    sessionToken: z.string().min(1),
    expiresAt: z.string().refine((v) => !Number.isNaN(Date.parse(v))),
  }),
  clientId: z.string().min(1),
  refreshToken: z.string().min(1),
  dpopKey: z.string().min(1),
  signInRegion: z.string().optional(),
});

/** The session in one cache file, or why it is not one. Never quotes the file: it is secret. */
function parseCacheFile(file: string, loginSession: string, profileRegion: string): StoredLoginSession | string {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return 'it is not a JSON document';
  }
  const parsed = cacheFileSchema.safeParse(json);
  if (!parsed.success) return 'it lacks the credentials, refresh token, client or key of an aws login session';
  const doc = parsed.data;
  if (!isUsableDpopKey(doc.dpopKey)) return 'its dpopKey is not a P-256 private key';
  const t = doc.accessToken;
  return {
    loginSession,
    // The JS SDK records the sign-in region; the AWS CLI refreshes in the profile's region.
    region: doc.signInRegion || profileRegion,
    clientId: doc.clientId,
    refreshToken: doc.refreshToken,
    dpopKey: doc.dpopKey,
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey, sessionToken: t.sessionToken, expiration: Date.parse(t.expiresAt) },
  };
}

export interface ImportedLoginSession {
  profile: string;
  file: string;
}

/**
 * Stores each importable session under its profile, wires the profile to Keytray, then deletes the
 * plaintext file. The keychain item is read back before the file goes, so a failed write loses nothing.
 */
export async function importLoginSessions(vault: Vault, entries: LoginCacheEntry[], launcher: string): Promise<ImportedLoginSession[]> {
  const done: ImportedLoginSession[] = [];
  for (const e of entries) {
    if (!e.session || !e.profile) continue;
    await vault.logins.remember(e.profile, e.session);
    if (vault.store.getLoginSession(e.profile)?.refreshToken !== e.session.refreshToken) {
      throw new KeytrayError('keychain-unavailable', `The keychain did not keep the sign-in session of profile "${e.profile}"; ${e.file} was left in place`, {
        profile: e.profile,
        hint: 'Unlock the keychain and run `keytray import` again.',
      });
    }
    wireLoginProfile(vault.paths.configFile, e.profile, e.session.loginSession, e.session.region, launcher);
    fs.rmSync(e.file, { force: true });
    done.push({ profile: e.profile, file: e.file });
  }
  return done;
}
