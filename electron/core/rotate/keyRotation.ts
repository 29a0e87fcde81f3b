import type { AwsConfig } from '../config/awsConfig';
import { KeytrayError, maskAccessKeyId } from '../errors';
import type { StoredKey, VaultStore } from '../keychain/vaultStore';
import type { RequestContext, SessionEngine } from '../sessions/sessionEngine';
import { awsErrorCode, isRejectedKey, isUnavailable, readAwsFailure, rejectedKeyError, unavailableError } from '../sts/awsFailure';
import { partitionOf, regionFor } from '../sts/endpoints';
import { describeStsFailure, type StsGateway } from '../sts/stsGateway';
import type { AwsCredentials, Clock } from '../types';
import type { IamAccessKeys } from './iamAccessKeys';

/**
 * Rotates a user profile's long-term key in the order docs/architecture.md (Command line) gives:
 *   1. CreateAccessKey, with the MFA session when the profile has mfa_serial: IAM refuses
 *      GetSessionToken credentials that were not MFA-authenticated;
 *   2. store the new key in the keychain, before anything else can fail, because AWS shows a
 *      secret only once;
 *   3. GetCallerIdentity with the new key, retried while IAM's change propagates;
 *   4. DeleteAccessKey on the old key;
 *   5. clear the sessions built on the old key.
 * Until step 3 succeeds the old key stays the working one: a failure puts it back in the keychain
 * and deletes the new key at AWS. A failure at step 4 leaves the new, verified key in place and
 * says how to delete the old one.
 */

export type RotationStep = 'create' | 'store' | 'verify' | 'delete-old' | 'clear-sessions';

export interface KeyRotationDeps {
  store: Pick<VaultStore, 'getLongTermKey' | 'setLongTermKey'>;
  engine: Pick<SessionEngine, 'getCredentials'>;
  loadConfig: () => AwsConfig;
  iamFor: (partition: ReturnType<typeof partitionOf>) => IamAccessKeys;
  stsFor: (region: string) => StsGateway;
  /** Drops the profile's sessions and those of roles built on it; returns the profiles cleared. */
  clearSessions: (profile: string) => string[];
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  /** Waits between verification attempts; injected so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** How long to keep retrying verification; 10 s by default. */
  verifyTimeoutMs?: number;
  /** Told as each step starts, for a progress line or the app's spinner. */
  onStep?: (step: RotationStep) => void;
}

export interface RotationResult {
  profile: string;
  userName: string;
  oldAccessKeyId: string;
  newAccessKeyId: string;
  clearedSessions: string[];
}

/** New keys usually work within seconds; AWS documents IAM changes as eventually consistent. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 10_000;

export async function rotateAccessKey(deps: KeyRotationDeps, profileName: string, ctx: RequestContext): Promise<RotationResult> {
  const env = deps.env ?? process.env;
  const profile = deps.loadConfig().profile(profileName);
  if (profile.kind === 'sso') {
    throw new KeytrayError('usage', 'Only a user profile owns an access key to rotate', {
      profile: profileName,
      hint: 'This profile signs in with IAM Identity Center and has no access key.',
    });
  }
  if (profile.kind === 'login') {
    throw new KeytrayError('usage', 'A sign-in profile has no access key to rotate', {
      profile: profileName,
      hint: `It gets short-lived credentials from AWS Sign-In; run \`keytray login ${profileName}\` to sign in again.`,
    });
  }
  if (profile.kind !== 'user') {
    const root = profile.sourceProfile ? ` Rotate its source instead: \`keytray rotate ${profile.sourceProfile}\`.` : '';
    throw new KeytrayError('usage', 'Only a user profile owns an access key to rotate', {
      profile: profileName,
      hint: `This profile is a role.${root}`,
    });
  }
  const old = deps.store.getLongTermKey(profileName);
  if (!old) {
    throw new KeytrayError('no-stored-key', 'No access key is stored in the keychain', {
      profile: profileName,
      hint: `Store one with \`keytray add ${profileName}\` first.`,
    });
  }
  const oldKey: AwsCredentials = { accessKeyId: old.accessKeyId, secretAccessKey: old.secretAccessKey };
  const partition = partitionOf(profile.mfaSerial ?? regionFor(profile.region, env));
  const iam = deps.iamFor(partition);
  const sts = deps.stsFor(regionFor(profile.region, env));

  // With mfa_serial the user's policies very likely demand MFA for IAM, and a plain key would be
  // refused; the MFA session (cached, or one prompt now) carries it.
  const iamCredentials = profile.mfaSerial ? (await deps.engine.getCredentials({ profile: profileName }, ctx)).credentials : oldKey;
  const failure = (action: string, err: unknown) => describeIamFailure(err, { profile: profileName, action, usedMfa: !!profile.mfaSerial, accessKeyId: old.accessKeyId });

  // 1. Create.
  deps.onStep?.('create');
  let created: { accessKeyId: string; secretAccessKey: string; userName: string };
  try {
    created = await iam.createAccessKey(iamCredentials);
  } catch (err) {
    if (awsErrorCode(err) === 'LimitExceeded') throw await limitMessage(iam, iamCredentials, profileName, old.accessKeyId);
    throw failure('CreateAccessKey', err);
  }
  const newKey: StoredKey = { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey, storedAt: deps.clock.now() };

  /** Puts the old key back and removes the new one at AWS: the profile is as it was. */
  const undo = async (what: string, cause: unknown): Promise<never> => {
    let restored = true;
    try {
      deps.store.setLongTermKey(profileName, old);
    } catch {
      restored = false;
    }
    let deleted = true;
    try {
      await iam.deleteAccessKey(iamCredentials, created.accessKeyId);
    } catch {
      deleted = false;
    }
    const newMasked = maskAccessKeyId(created.accessKeyId);
    const oldMasked = maskAccessKeyId(old.accessKeyId);
    const kept = restored ? ` The old key ${oldMasked} is still the profile's key` : ` The keychain could not be reset to the old key ${oldMasked}`;
    const leftover = deleted ? '' : ` and the new key ${newMasked} could not be deleted at AWS`;
    throw new KeytrayError('rotate-incomplete', `Key rotation stopped: ${what}.${kept}${leftover}`, {
      profile: profileName,
      hint: deleted
        ? 'Nothing changed; try again later.'
        : `Delete the key ending in ${created.accessKeyId.slice(-4)} of IAM user ${created.userName || 'of this profile'} in the IAM console, then try again.`,
      cause,
    });
  };

  // 2. Store, and read back: a keychain that silently dropped the write must not lose the key.
  deps.onStep?.('store');
  try {
    deps.store.setLongTermKey(profileName, newKey);
    const back = deps.store.getLongTermKey(profileName);
    if (back?.accessKeyId !== newKey.accessKeyId || back.secretAccessKey !== newKey.secretAccessKey) throw new Error('read back differs');
  } catch (err) {
    return undo(`the keychain did not keep the new key (${err instanceof KeytrayError ? err.message : 'write failed'})`, err);
  }

  // 3. Verify.
  deps.onStep?.('verify');
  try {
    await verifyNewKey(deps, sts, newKey, created.userName);
  } catch (err) {
    // The new key is checked against STS, not IAM: its outage and endpoint are STS's.
    const why = describeStsFailure(err, { profile: profileName, action: 'GetCallerIdentity' }).message;
    return undo(`the new key ${maskAccessKeyId(created.accessKeyId)} did not work: ${why}`, err);
  }

  // 4. Delete the old key. The new one works, so from here on a failure is reported, not undone.
  deps.onStep?.('delete-old');
  let deleteError: unknown;
  try {
    await iam.deleteAccessKey(iamCredentials, old.accessKeyId);
  } catch (err) {
    // Deleted by someone else already: the goal is reached.
    if (awsErrorCode(err) !== 'NoSuchEntity') deleteError = err;
  }

  // 5. Sessions made from the old key would still be served; drop them.
  deps.onStep?.('clear-sessions');
  let clearedSessions: string[] = [];
  try {
    clearedSessions = deps.clearSessions(profileName);
  } catch {
    // Stale sessions expire on their own; the rotation itself succeeded.
  }

  if (deleteError !== undefined) {
    const reason = failure('DeleteAccessKey', deleteError).message;
    const user = created.userName || 'this user';
    throw new KeytrayError(
      'rotate-incomplete',
      `Profile "${profileName}" now uses the new key ${maskAccessKeyId(created.accessKeyId)}, but the old key ${maskAccessKeyId(old.accessKeyId)} is still active at AWS: ${reason}`,
      {
        hint:
          `Delete the key ending in ${old.accessKeyId.slice(-4)} of IAM user ${user} in the IAM console, or with ` +
          `\`aws iam delete-access-key --user-name ${user} --access-key-id ID\` (\`aws iam list-access-keys --user-name ${user}\` shows the ID).`,
        cause: deleteError,
      },
    );
  }
  return { profile: profileName, userName: created.userName, oldAccessKeyId: old.accessKeyId, newAccessKeyId: created.accessKeyId, clearedSessions };
}

/**
 * GetCallerIdentity with the new key until it works. A brand-new key is at first unknown to STS
 * (InvalidClientTokenId) while IAM's change propagates, so those answers are retried with backoff up
 * to the timeout; any other failure is final (the SDK has already retried throttling and 5xx).
 */
async function verifyNewKey(deps: KeyRotationDeps, sts: StsGateway, key: StoredKey, userName: string): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const budget = deps.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const identity = await sts.getCallerIdentity({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
      // The key must act as the same user; anything else means the wrong account or user was hit.
      if (userName && !identity.arn.endsWith(`:user/${userName}`) && !identity.arn.endsWith(`/${userName}`)) {
        throw new KeytrayError('sts-invalid', `it acts as ${identity.arn}, not as IAM user ${userName}`);
      }
      return;
    } catch (err) {
      const propagating = ['InvalidClientTokenId', 'SignatureDoesNotMatch'].includes(awsErrorCode(err) ?? '');
      const delay = Math.min(500 * 2 ** attempt, 2_000);
      if (!propagating || waited + delay > budget) {
        if (propagating) throw new KeytrayError('sts-denied', `AWS still did not accept it after ${Math.round(waited / 1000)} s`, { cause: err });
        throw err;
      }
      await sleep(delay);
      waited += delay;
    }
  }
}

/** IAM's AccessKeysPerUser quota is 2. Name the other key so the user knows which one to delete. */
async function limitMessage(iam: IamAccessKeys, credentials: AwsCredentials, profile: string, currentId: string): Promise<KeytrayError> {
  let others: string[] = [];
  try {
    others = (await iam.listAccessKeys(credentials)).filter((k) => k.accessKeyId !== currentId).map((k) => describeKey(k));
  } catch {
    // Listing is a courtesy; the limit message stands without it.
  }
  const which = others.length > 0 ? `: ${others.join(', ')}` : '';
  return new KeytrayError('iam-limit', `The IAM user already has 2 access keys, the most AWS allows, so no new key can be created`, {
    profile,
    hint:
      `This profile uses ${maskAccessKeyId(currentId)}; delete the unused one${which} in the IAM console ` +
      `(or with \`aws iam delete-access-key\`), then run \`keytray rotate ${profile}\` again.`,
  });
}

function describeKey(k: { accessKeyId: string; status: string; createdAt?: number }): string {
  const created = k.createdAt ? `, created ${new Date(k.createdAt).toISOString().slice(0, 10)}` : '';
  return `${maskAccessKeyId(k.accessKeyId)} (${k.status.toLowerCase()}${created})`;
}

/** The age of a stored key in whole days, for "Rotate key (93 days old)" in the app. */
export function keyAgeDays(key: Pick<StoredKey, 'storedAt'>, clock: Clock): number {
  return Math.max(0, Math.floor((clock.now() - key.storedAt) / 86_400_000));
}

interface IamFailureContext {
  profile: string;
  action: string;
  usedMfa?: boolean;
  accessKeyId?: string;
}

/** An IAM error as one line: AWS's own words, then what to do. */
export function describeIamFailure(err: unknown, ctx: IamFailureContext): KeytrayError {
  if (err instanceof KeytrayError) return err;
  const f = readAwsFailure(err);
  const where = { profile: ctx.profile, target: ctx.action };
  if (f.code === 'AccessDenied') {
    return new KeytrayError('sts-denied', `AWS denied ${ctx.action}: ${f.said}`, {
      profile: ctx.profile,
      hint: ctx.usedMfa
        ? 'The user needs permission to manage its own access keys (iam:CreateAccessKey, iam:DeleteAccessKey, iam:ListAccessKeys).'
        : "If the user's policies require MFA, add mfa_serial to the profile; otherwise grant it iam:CreateAccessKey and iam:DeleteAccessKey on itself.",
      cause: err,
    });
  }
  if (isRejectedKey(f)) {
    return rejectedKeyError(f, { ...where, accessKeyId: ctx.accessKeyId, hint: `Store a current key with \`keytray add ${ctx.profile}\`.` }, err);
  }
  if (isUnavailable(f)) return unavailableError('IAM', f, where, err);
  return new KeytrayError('sts-invalid', `${ctx.action} failed: ${f.code}: ${f.said}`, { profile: ctx.profile, cause: err });
}
