import type { SsoFlow, StoredSsoToken } from '../keychain/vaultStore';
import type { ProfileLock } from '../sessions/profileLock';
import type { IssuedCredentials } from '../sts/stsGateway';
import type { SsoRoleTarget, SsoSessionConfig } from './ssoConfig';
import { describeSsoFailure, signedOut } from './ssoFailures';
import { forgetClient, signIn, type SignInOrigin, type SsoSignInDeps } from './ssoSignin';

/**
 * An SSO session's tokens, shared by every profile of the session and every process: one sign-in,
 * one CreateToken, however many callers ask at once. The access token is refreshed with the refresh
 * token once it has less than REFRESH_AHEAD_MS left (botocore's advisory window), and the rotated
 * refresh token replaces the old one, which IAM Identity Center will not accept again.
 */

/** botocore refreshes SSO tokens inside 15 minutes of expiry; Keytray does the same. */
export const REFRESH_AHEAD_MS = 15 * 60 * 1000;
/** Below this an access token is not worth sending. */
const MIN_USABLE_MS = 60 * 1000;

export interface SsoSessionTokensDeps extends SsoSignInDeps {
  lock?: ProfileLock;
}

export interface TokenRequest {
  /** May a sign-in start (a browser open) when there is no usable token? */
  allowSignIn: boolean;
  profile?: string;
  /** Which program's request would start the sign-in: the app's prompt window names it. */
  origin?: SignInOrigin;
}

export class SsoSessionTokens {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly deps: SsoSessionTokensDeps) {}

  /** A live access token for the session: kept, refreshed, or from a new sign-in when allowed. */
  accessToken(session: SsoSessionConfig, request: TokenRequest): Promise<string> {
    const kept = this.usable(session, this.deps.store.getSsoToken(session.key), REFRESH_AHEAD_MS);
    if (kept) return Promise.resolve(kept.accessToken);
    return this.once(`sso-token:${session.key}`, async () => {
      // Another process may have signed in or refreshed while this one waited for the lock.
      const current = this.deps.store.getSsoToken(session.key);
      const fresh = this.usable(session, current, REFRESH_AHEAD_MS);
      if (fresh) return fresh.accessToken;
      const refreshed = current ? await this.refresh(session, current, request) : null;
      if (refreshed && 'token' in refreshed) return refreshed.token.accessToken;
      // No refresh possible (none issued, registration gone): the token itself may still work a while.
      const stillValid = refreshed === null ? this.usable(session, current, MIN_USABLE_MS) : null;
      if (stillValid) return stillValid.accessToken;
      if (!request.allowSignIn) {
        throw signedOut(session, request.profile, refreshed?.ended ?? (current ? 'has expired' : 'is not signed in'));
      }
      return (await this.signInLocked(session, this.deps.browserAvailable() ? 'authorization_code' : 'device_code', request.origin)).accessToken;
    });
  }

  /** `keytray sso login`: always a new sign-in, replacing any token kept. */
  async signIn(session: SsoSessionConfig, flow: SsoFlow, origin?: SignInOrigin): Promise<StoredSsoToken> {
    let token: StoredSsoToken | undefined;
    await this.once(`sso-token:${session.key}`, async () => {
      token = await this.signInLocked(session, flow, origin);
      return token.accessToken;
    });
    return token ?? this.deps.store.getSsoToken(session.key)!;
  }

  /** `keytray sso logout`: Logout at the portal (best effort) and forget tokens and registrations. */
  async logout(session: SsoSessionConfig): Promise<{ hadToken: boolean; portalLogout: boolean }> {
    const token = this.deps.store.getSsoToken(session.key);
    let portalLogout = false;
    if (token && this.deps.clock.now() < token.expiresAt) {
      try {
        await this.deps.gatewayFor(token.region).logout(token.accessToken);
        portalLogout = true;
      } catch {
        // Signed out locally either way; an unreachable portal must not keep the tokens here.
      }
    }
    this.deps.store.deleteSsoToken(session.key);
    this.deps.store.deleteSsoClients(session.key);
    return { hadToken: !!token, portalLogout };
  }

  /**
   * GetRoleCredentials for an SSO profile. A token the portal no longer accepts (revoked, logged
   * out elsewhere) is dropped and the call tried once more with a refreshed or new one.
   */
  async roleCredentials(target: SsoRoleTarget, request: TokenRequest): Promise<IssuedCredentials> {
    const gateway = this.deps.gatewayFor(target.session.region);
    const ctx = { profile: target.profile, accountId: target.accountId, roleName: target.roleName };
    for (let attempt = 0; ; attempt++) {
      const accessToken = await this.accessToken(target.session, { ...request, profile: target.profile });
      try {
        return await gateway.getRoleCredentials(accessToken, target.accountId, target.roleName);
      } catch (err) {
        const failure = describeSsoFailure(err, target.session, 'GetRoleCredentials', ctx);
        const rejectedToken = (err as { name?: string }).name === 'UnauthorizedException';
        if (!rejectedToken || attempt > 0) throw failure;
        this.dropAccessToken(target.session, accessToken);
      }
    }
  }

  private dropAccessToken(session: SsoSessionConfig, accessToken: string): void {
    const t = this.deps.store.getSsoToken(session.key);
    // Only if it is still the one rejected: another process may have replaced it meanwhile.
    if (t && t.accessToken === accessToken) this.deps.store.setSsoToken(session.key, { ...t, expiresAt: 0 });
  }

  private usable(session: SsoSessionConfig, t: StoredSsoToken | null, marginMs: number): StoredSsoToken | null {
    if (!t || t.startUrl !== session.startUrl || t.region !== session.region) return null;
    return t.expiresAt - this.deps.clock.now() > marginMs ? t : null;
  }

  /**
   * Called under the session's lock. Null when the token cannot be refreshed at all; `ended` when
   * IAM Identity Center refused the refresh token (spent, revoked, expired).
   */
  private async refresh(session: SsoSessionConfig, current: StoredSsoToken, request: TokenRequest): Promise<{ token: StoredSsoToken } | { ended: string } | null> {
    if (!current.refreshToken || current.startUrl !== session.startUrl) return null;
    const clients = this.deps.store.getSsoClients(session.key);
    const flow = (Object.keys(clients) as SsoFlow[]).find((f) => clients[f]!.clientId === current.clientId);
    const client = flow ? clients[flow] : undefined;
    // The refresh token is bound to its registration: once that expires, only a new sign-in helps.
    if (!client || client.expiresAt <= this.deps.clock.now()) return null;
    try {
      const next = await this.deps.gatewayFor(session.region).createToken(client, { grantType: 'refresh_token', refreshToken: current.refreshToken });
      const stored: StoredSsoToken = {
        ...current,
        accessToken: next.accessToken,
        expiresAt: next.expiresAt,
        // IAM Identity Center rotates refresh tokens: the old one is spent now.
        refreshToken: next.refreshToken ?? undefined,
      };
      this.deps.store.setSsoToken(session.key, stored);
      return { token: stored };
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'InvalidGrantException' || name === 'ExpiredTokenException' || name === 'InvalidClientException' || name === 'AccessDeniedException') {
        if (name === 'InvalidClientException' && flow) forgetClient(session, flow, this.deps.store);
        // Spent or revoked: never send it again.
        this.deps.store.setSsoToken(session.key, { ...current, refreshToken: undefined });
        return { ended: name === 'ExpiredTokenException' ? 'has expired' : 'has ended' };
      }
      throw describeSsoFailure(err, session, 'CreateToken', { profile: request.profile });
    }
  }

  private async signInLocked(session: SsoSessionConfig, flow: SsoFlow, origin?: SignInOrigin): Promise<StoredSsoToken> {
    const token = await signIn(session, flow, this.deps, origin);
    this.deps.store.setSsoToken(session.key, token);
    return token;
  }

  /** One flight per key: in this process through a map, across processes through the lock file. */
  private once(key: string, run: () => Promise<string>): Promise<string> {
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const locked = this.deps.lock ? () => this.deps.lock!.withLock(key, run) : run;
    const p = locked().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}
