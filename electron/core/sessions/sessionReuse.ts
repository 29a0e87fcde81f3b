import type { CachedSession } from '../types';

/**
 * When a cached session may be handed out as it is. The credential-process fast path and the
 * session engine both decide through `isServable`, so the two can never disagree. Kept free of
 * imports: the fast path bundles it.
 */

/**
 * The AWS CLI refreshes credentials with less than 15 minutes left on every access (botocore's
 * "mandatory refresh" window), so serving such a session would make it re-run the helper each time.
 */
export const REUSE_MARGIN_MS = 15 * 60 * 1000;

/**
 * A session about to expire is still served when it cannot be renewed (no MFA code source), but
 * not in its last minute: the caller could not even finish one AWS call with it.
 */
export const LAST_RESORT_FLOOR_MS = 60 * 1000;

/**
 * What the session must have been made from. The engine knows the chain's definition; the fast
 * path knows only the config file's stamp, which the engine puts on a session after checking the
 * definition (see configStamp.ts).
 */
export type MadeFrom = { definition: string } | { configStamp: string };

/** True when `session` was made from `madeFrom` and has more than the reuse margin left at `now`. */
export function isServable(session: CachedSession | null, now: number, madeFrom: MadeFrom): session is CachedSession {
  if (!session) return false;
  if ('definition' in madeFrom ? session.definition !== madeFrom.definition : session.configStamp !== madeFrom.configStamp) return false;
  return session.expiration - now > REUSE_MARGIN_MS;
}

/**
 * True when a session that can no longer be renewed may still be served: made from the current
 * definition, and with more than LAST_RESORT_FLOOR_MS left.
 */
export function isServableAsLastResort(session: CachedSession | null, now: number, definition: string): session is CachedSession {
  return !!session && session.definition === definition && session.expiration - now > LAST_RESORT_FLOOR_MS;
}
