import { asKeytrayError, KeytrayError } from '../errors';
import type { StoredLoginSession, VaultStore } from '../keychain/vaultStore';
import type { ProfileLock } from '../sessions/profileLock';
import type { Clock } from '../types';
import { NetworkFailure } from '../net/networkFailure';
import { createOAuth2Token, isUsableDpopKey, SigninRefusal, signinBaseUrl, type TokenOutput } from './signinProtocol';

/**
 * Serving an `aws login` session: the credentials in the keychain while more than 5 minutes remain
 * (the margin `@aws-sdk/credential-provider-login` uses), else one refresh grant. Concurrent callers
 * share that refresh, in this process and across processes (the profile's lock), and the rotated
 * refresh token replaces the old one in the same keychain write as the new credentials: AWS Sign-In
 * treats a rotated-away token that comes back as stolen, so two refreshes with one token, or a new
 * token lost after a refresh, would each end the session.
 */

export const LOGIN_REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** Above this distance from the service's clock a refused proof is put down to the local clock. */
const CLOCK_SKEW_SUSPECT_MS = 3 * 60 * 1000;

export interface LoginCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number;
}

export interface ServedLogin {
  credentials: LoginCredentials;
  refreshed: boolean;
  warnings: string[];
}

export interface LoginSessionsDeps {
  store: VaultStore;
  lock: ProfileLock;
  clock: Clock;
  env: NodeJS.ProcessEnv;
}

export class LoginSessions {
  private readonly inFlight = new Map<string, Promise<{ session: StoredLoginSession; refreshed: boolean }>>();

  constructor(private readonly deps: LoginSessionsDeps) {}

  /** The stored session of a profile, or an error that says to sign in. */
  stored(profile: string): StoredLoginSession {
    const session = this.deps.store.getLoginSession(profile);
    if (!session) {
      throw new KeytrayError('no-stored-key', `Profile "${profile}" is not signed in with AWS Sign-In`, {
        profile,
        hint: `Run \`keytray login ${profile}\`.`,
      });
    }
    return session;
  }

  async credentials(profile: string, options: { forceRefresh?: boolean } = {}): Promise<ServedLogin> {
    const now = this.deps.clock.now();
    const current = this.stored(profile);
    if (!options.forceRefresh && usable(current, now)) return { credentials: current.credentials, refreshed: false, warnings: [] };
    const warnings: string[] = [];
    const { session, refreshed } = await this.sharedRefresh(profile, !!options.forceRefresh, warnings);
    return { credentials: session.credentials, refreshed, warnings };
  }

  /**
   * Stores a fresh sign-in, replacing whatever the profile had. Under the profile's lock: a refresh
   * of the old session finishing meanwhile would otherwise write its token over the new one.
   */
  remember(profile: string, session: StoredLoginSession): Promise<void> {
    return this.deps.lock.withLock(`login:${profile}`, async () => this.deps.store.setLoginSession(profile, session));
  }

  /** Forgets the session, under the lock, so a refresh in flight cannot bring it back. */
  forget(profile: string): Promise<boolean> {
    return this.deps.lock.withLock(`login:${profile}`, async () => this.deps.store.deleteLoginSession(profile));
  }

  private sharedRefresh(profile: string, force: boolean, warnings: string[]): Promise<{ session: StoredLoginSession; refreshed: boolean }> {
    const existing = this.inFlight.get(profile);
    if (existing) return existing;
    const run = this.deps.lock
      .withLock(`login:${profile}`, async () => {
        // Another process may have refreshed while this one waited for the lock; its token is the live one now.
        const latest = this.stored(profile);
        if (!force && usable(latest, this.deps.clock.now())) return { session: latest, refreshed: false };
        return { session: await this.refresh(profile, latest, warnings), refreshed: true };
      })
      .finally(() => this.inFlight.delete(profile));
    this.inFlight.set(profile, run);
    return run;
  }

  private async refresh(profile: string, session: StoredLoginSession, warnings: string[]): Promise<StoredLoginSession> {
    if (!isUsableDpopKey(session.dpopKey)) {
      throw new KeytrayError('keychain-unavailable', `The sign-in key of profile "${profile}" in the keychain is damaged`, {
        profile,
        hint: `Run \`keytray login ${profile}\` to sign in again.`,
      });
    }
    const base = signinBaseUrl(session.region, this.deps.env);
    let out: TokenOutput;
    try {
      out = await createOAuth2Token(base, { clientId: session.clientId, grantType: 'refresh_token', refreshToken: session.refreshToken }, session.dpopKey, {
        env: this.deps.env,
        region: session.region,
        now: () => this.deps.clock.now(),
      });
    } catch (err) {
      const now = this.deps.clock.now();
      // The SDK's rule too: a failed refresh is not worth failing a call while the credentials still work.
      if (err instanceof NetworkFailure && session.credentials.expiration - now > 60_000) {
        const minutes = Math.floor((session.credentials.expiration - now) / 60_000);
        warnings.push(`keytray: could not refresh the sign-in session of profile "${profile}" (${err.toKeytrayError({ action: 'CreateOAuth2Token' }).message}); serving credentials that expire in ${minutes} min.`);
        return session;
      }
      throw describeRefreshFailure(err, profile, session, base, this.deps.env, now);
    }
    const next: StoredLoginSession = {
      ...session,
      refreshToken: out.refreshToken,
      credentials: {
        accessKeyId: out.accessKeyId,
        secretAccessKey: out.secretAccessKey,
        sessionToken: out.sessionToken,
        expiration: this.deps.clock.now() + out.expiresInSeconds * 1000,
      },
    };
    this.deps.store.setLoginSession(profile, next);
    return next;
  }
}

function usable(session: StoredLoginSession, now: number): boolean {
  return session.credentials.expiration - now > LOGIN_REFRESH_MARGIN_MS;
}

/** One line for a refresh that did not work: what, which profile, how to fix it. */
export function describeRefreshFailure(err: unknown, profile: string, session: StoredLoginSession, base: string, env: NodeJS.ProcessEnv, now: number): KeytrayError {
  const again = `Run \`keytray login ${profile}\` to sign in again.`;
  if (err instanceof NetworkFailure) return err.toKeytrayError({ profile, action: 'CreateOAuth2Token' });
  if (!(err instanceof SigninRefusal)) return asKeytrayError(err, profile);
  const skew = err.serverTime === undefined ? 0 : now - err.serverTime;
  if (Math.abs(skew) > CLOCK_SKEW_SUSPECT_MS && err.error !== 'TOKEN_EXPIRED') {
    const minutes = Math.round(Math.abs(skew) / 60_000);
    return new KeytrayError('sts-denied', `AWS Sign-In refused the proof of profile "${profile}": this computer's clock is ${minutes} min ${skew < 0 ? 'behind' : 'ahead of'} AWS's`, {
      profile,
      hint: 'Turn on time sync (e.g. `sudo timedatectl set-ntp true`; in WSL 2, `sudo hwclock -s`) and try again.',
    });
  }
  switch (err.error) {
    case 'TOKEN_EXPIRED':
      return new KeytrayError('sts-denied', `The 12-hour sign-in session of profile "${profile}" has ended`, { profile, hint: again });
    case 'USER_CREDENTIALS_CHANGED':
      return new KeytrayError('sts-denied', `The password of the user behind profile "${profile}" changed, which ended its sign-in session`, { profile, hint: again });
    case 'INSUFFICIENT_PERMISSIONS':
      return new KeytrayError('sts-denied', `${session.loginSession} may not refresh its sign-in session (profile "${profile}")`, {
        profile,
        hint: 'Ask an administrator to allow signin:CreateOAuth2Token, then sign in again.',
      });
    case 'invalid_grant': {
      const override = env.AWS_ENDPOINT_URL_SIGNIN ? 'AWS_ENDPOINT_URL_SIGNIN' : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
      return new KeytrayError('sts-denied', `AWS Sign-In at ${base} does not know the session of profile "${profile}", which was signed in to ${session.region}`, {
        profile,
        hint: override
          ? `A session refreshes only in the region it was signed in to: point ${override} at the ${session.region} endpoint, or run \`keytray login ${profile} --region REGION\`.`
          : `A session refreshes only in the region it was signed in to, and ends when it is signed out. Run \`keytray login ${profile}\` (with --region for another region).`,
      });
    }
    default:
      return new KeytrayError('sts-denied', `AWS Sign-In refused to refresh the session of profile "${profile}" (${err.errorType}${err.error ? ` ${err.error}` : ''}: ${err.message})`, {
        profile,
        hint: again,
      });
  }
}
