import type { AwsConfig } from '../config/awsConfig';
import { KeytrayError } from '../errors';
import type { VaultStore } from '../keychain/vaultStore';
import type { LoginSessions, ServedLogin } from '../login/loginSessions';
import type { MfaCodeProvider } from '../mfa/mfaCodeSources';
import type { TotpReuseGuard } from '../mfa/totpReuseGuard';
import { DEFAULT_SETTINGS } from '../settings';
import { regionFor } from '../sts/endpoints';
import type { IssuedCredentials, MfaParameters, StsGateway } from '../sts/stsGateway';
import { describeStsFailure } from '../sts/stsGateway';
import { readAwsFailure, type AwsFailure } from '../sts/awsFailure';
import type { AwsCredentials, CachedSession, Clock } from '../types';
import { ssoRoleTarget } from '../sso/ssoConfig';
import type { SsoSessionTokens } from '../sso/ssoSessionTokens';
import { configStampOf } from './configStamp';
import { resolveChain, type ProfileChain, type RoleChain, type SsoChain, type UserChain } from './profileChain';
import type { ProfileLock } from './profileLock';
import { isServable, isServableAsLastResort } from './sessionReuse';
import { chainedRoleCapped, lastResortSession, renewedRejectedSession } from './sessionWarnings';

/** AWS caps sessions of a role assumed with session credentials (role chaining) at one hour. */
export const CHAINED_ROLE_MAX_SECONDS = 3600;
export const DEFAULT_ROLE_SECONDS = 3600;

export interface CredentialRequest {
  profile: string;
  /** Overrides the duration of the requested profile's own session (not of its sources). */
  durationSeconds?: number;
  /** Use the long-term key with no GetSessionToken (a role is assumed straight from it). */
  noSession?: boolean;
  /** Ignore cached sessions for the requested profile. */
  forceRefresh?: boolean;
  /** Overrides the region reported with the credentials. */
  region?: string;
}

/** Per-request services: where MFA codes come from depends on who asked (CLI, agent client, app). */
export interface RequestContext {
  mfa: MfaCodeProvider;
  requester?: { pid: number; command?: string };
}

export interface ServedCredentials {
  profile: string;
  credentials: AwsCredentials;
  region?: string;
  /** 'cache' when no STS call was needed. */
  source: 'cache' | 'sts' | 'long-term';
  /** Things the user should know but that did not stop the request (shown on a terminal only). */
  warnings: string[];
}

export interface SessionEngineDeps {
  loadConfig: () => AwsConfig;
  store: VaultStore;
  stsFor: (region: string) => StsGateway;
  guard: TotpReuseGuard;
  clock: Clock;
  lock?: ProfileLock;
  env?: NodeJS.ProcessEnv;
  /** AWS Sign-In sessions: the credentials of login profiles and of the roles assumed from them. */
  logins?: LoginSessions;
  /** Duration of GetSessionToken sessions for user profiles (8 h unless configured). */
  /** Read per session, so a change in the app's Settings applies without a restart. */
  mfaSessionSeconds?: () => number;
  /** IAM Identity Center tokens, for SSO profiles. */
  sso?: SsoSessionTokens;
  /** Whether serving an SSO profile may start a sign-in in the browser (no: a line saying how to sign in). */
  ssoSignInAllowed?: () => boolean;
}

/**
 * Turns a profile name into credentials: cached sessions while they have more than 15 minutes left,
 * otherwise GetSessionToken / AssumeRole over the profile's source chain, prompting for MFA at most
 * once per chain. Concurrent requests for a profile share one flight, in process and across
 * processes (through `lock`).
 */
export class SessionEngine {
  private readonly inFlight = new Map<string, Promise<CachedSession>>();
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly deps: SessionEngineDeps) {
    this.env = deps.env ?? process.env;
  }

  async getCredentials(request: CredentialRequest, ctx: RequestContext): Promise<ServedCredentials> {
    const config = this.deps.loadConfig();
    const chain = resolveChain(config, request.profile);
    const region = request.region ?? chain.region;
    const walk = new ChainWalk(this, this.deps, this.env, config, request, ctx);
    const served = (credentials: AwsCredentials, source: ServedCredentials['source']): ServedCredentials => ({
      profile: chain.profile.name,
      credentials,
      region,
      source,
      warnings: walk.warnings,
    });

    if (chain.kind === 'login') {
      const login = await this.loginCredentials(chain.profile.name, !!request.forceRefresh);
      walk.warnings.push(...login.warnings);
      return served(login.credentials, login.refreshed ? 'sts' : 'cache');
    }
    if (request.noSession) {
      if (chain.kind === 'sso') {
        throw new KeytrayError('usage', 'An IAM Identity Center profile has no long-term key to serve', { profile: chain.profile.name, hint: 'Drop --no-session for this profile.' });
      }
      return chain.kind === 'user' ? served(this.longTermKey(chain.profile.name), 'long-term') : served(stripMeta(await walk.assumeFromLongTermKey(chain)), 'sts');
    }
    const session = await walk.session(chain, { isTarget: true });
    return served(stripMeta(session.value), session.fromCache ? 'cache' : 'sts');
  }

  /** The long-term key of a user profile, or an error that says how to store one. */
  longTermKey(profile: string): AwsCredentials {
    const key = this.deps.store.getLongTermKey(profile);
    if (!key) {
      throw new KeytrayError('no-stored-key', 'No access key is stored in the keychain', {
        profile,
        hint: `Store one with \`keytray add ${profile}\` (or \`keytray import\` to move it from ~/.aws/credentials).`,
      });
    }
    return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  }

  /** A login profile's credentials: from the keychain, refreshed (once for all callers) when fewer than 5 minutes remain. */
  loginCredentials(profile: string, forceRefresh: boolean): Promise<ServedLogin> {
    if (!this.deps.logins) {
      throw new KeytrayError('usage', 'This Keytray cannot serve AWS Sign-In sessions', { profile, hint: 'Use the keytray command line or the desktop app.' });
    }
    return this.deps.logins.credentials(profile, { forceRefresh });
  }

  /**
   * Runs `run` once for any number of concurrent callers with the same key, in this process, and
   * across processes through the profile lock.
   */
  singleFlight(key: string, run: () => Promise<CachedSession>): Promise<CachedSession> {
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const { lock } = this.deps;
    const p = (lock ? lock.withLock(key, run) : run()).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}

interface ResolvedSession {
  value: CachedSession;
  fromCache: boolean;
}

interface SessionNeed {
  /** The requested profile's own session: the request's duration and forceRefresh apply to it. */
  isTarget: boolean;
  /** The access key id of a session STS just refused: never serve it again, whatever it claims. */
  rejected?: string;
}

/**
 * STS refused a source's session before its expiry: the clock behind it moved, or it was revoked.
 * Carries whose session it was, so that the walk can drop that one and renew it from below.
 */
class RejectedSessionError extends KeytrayError {
  constructor(
    readonly owner: string,
    failure: AwsFailure,
    during: string,
    cause: unknown,
  ) {
    super('sts-denied', `AWS refused the session of profile "${owner}" (${failure.code}) during ${during}, although Keytray had just made it`, {
      profile: owner,
      hint: "Check that this computer's clock is right (AWS rejects sessions from a clock far off), then try again.",
      cause,
    });
  }
}

/** The answers that mean STS no longer accepts the session itself, not that it denies the call. */
function rejectsTheSession(f: AwsFailure): boolean {
  return ['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch'].includes(f.code);
}

/** One request's walk down its profile chain. Holds the request's MFA context and its warnings. */
class ChainWalk {
  readonly warnings: string[] = [];

  constructor(
    private readonly engine: SessionEngine,
    private readonly deps: SessionEngineDeps,
    private readonly env: NodeJS.ProcessEnv,
    private readonly config: AwsConfig,
    private readonly request: CredentialRequest,
    private readonly ctx: RequestContext,
  ) {}

  /** A usable session for the hop: from the cache, or fresh from STS under the profile's lock. */
  async session(hop: ProfileChain, need: SessionNeed): Promise<ResolvedSession> {
    const name = hop.profile.name;
    const force = need.isTarget && !!this.request.forceRefresh;
    if (hop.kind === 'login') {
      // Kept in the login item with its refresh token, never as a `session:` item of its own. A
      // refused one (need.rejected) is replaced by a refresh, like any session refused early.
      const login = await this.engine.loginCredentials(name, force || need.rejected !== undefined);
      this.warnings.push(...login.warnings);
      return { value: { ...login.credentials, kind: 'session', definition: hop.definition }, fromCache: !login.refreshed };
    }
    const stored = (): CachedSession | null => {
      const session = this.deps.store.getSession(name);
      return session && session.accessKeyId === need.rejected ? null : session;
    };
    const cached = force ? null : this.servableFromCache(hop, stored());
    if (cached) return { value: cached, fromCache: true };

    let fromCache = false;
    const value = await this.engine.singleFlight(`session:${name}`, async () => {
      // Another process may have refreshed it while we waited for the lock.
      const stale = stored();
      const now = force ? null : this.servableFromCache(hop, stale);
      if (now) {
        fromCache = true;
        return now;
      }
      try {
        const fresh = hop.kind === 'user' ? await this.rootSession(hop, need) : hop.kind === 'sso' ? await this.ssoSession(hop) : await this.roleSession(hop, need);
        this.deps.store.setSession(name, fresh);
        return fresh;
      } catch (err) {
        // With no way to get an MFA code, a session that is still valid beats no credentials at all;
        // but not one made from settings since edited (another role, another MFA device), nor when
        // the caller asked for a fresh session.
        const nowMs = this.deps.clock.now();
        if (err instanceof KeytrayError && err.code === 'mfa-required' && !force && isServableAsLastResort(stale, nowMs, hop.definition)) {
          this.warnings.push(lastResortSession(name, stale.expiration - nowMs));
          fromCache = true;
          return stale;
        }
        throw err;
      }
    });
    return { value, fromCache };
  }

  /**
   * The cached session if it can be served as is. One made from the current definition but stamped
   * with an older config file (the file changed, not this profile) is re-stamped, so the fast path
   * serves it again.
   */
  private servableFromCache(hop: ProfileChain, cached: CachedSession | null): CachedSession | null {
    if (!isServable(cached, this.deps.clock.now(), { definition: hop.definition })) return null;
    const stamp = configStampOf(this.config.fingerprint);
    if (cached.configStamp === stamp) return cached;
    const restamped = { ...cached, configStamp: stamp };
    this.deps.store.setSession(hop.profile.name, restamped);
    return restamped;
  }

  /** GetSessionToken for a user profile: with MFA when it has mfa_serial. */
  private async rootSession(hop: UserChain, need: SessionNeed): Promise<CachedSession> {
    const { profile } = hop;
    const longTerm = this.engine.longTermKey(profile.name);
    const duration = (need.isTarget && this.request.durationSeconds) || this.deps.mfaSessionSeconds?.() || DEFAULT_SETTINGS.mfaSessionSeconds;
    const mfa = profile.mfaSerial ? await this.mfaParameters(profile.name, profile.mfaSerial, profile.mfaProcess) : undefined;
    const issued = await this.call(hop, 'GetSessionToken', longTerm, mfa, (sts) => sts.getSessionToken(longTerm, { durationSeconds: duration, mfa }));
    return this.toCached(issued, 'session', hop, profile.mfaSerial);
  }

  /** GetRoleCredentials for an IAM Identity Center profile, with the session's shared token. */
  private async ssoSession(hop: SsoChain): Promise<CachedSession> {
    const { sso } = this.deps;
    if (!sso) throw new KeytrayError('sso-signin', 'IAM Identity Center is not available here', { profile: hop.profile.name });
    const target = ssoRoleTarget(this.config, hop.profile);
    const issued = await sso.roleCredentials(target, {
      allowSignIn: this.deps.ssoSignInAllowed?.() ?? false,
      profile: hop.profile.name,
      origin: { requestedProfile: this.request.profile, requester: this.ctx.requester },
    });
    return this.toCached(issued, 'sso', hop);
  }

  /**
   * AssumeRole for a role profile. From a user source with MFA, the source's MFA session is reused so
   * one code covers the whole chain; a duration over an hour cannot be chained, so it assumes straight
   * from the long-term key with MFA on the call instead.
   */
  private async roleSession(hop: RoleChain, need: SessionNeed): Promise<CachedSession> {
    const { profile, source } = hop;
    const wanted = (need.isTarget && this.request.durationSeconds) || profile.durationSeconds || DEFAULT_ROLE_SECONDS;

    if (source.kind === 'user') {
      const sourceSerial = source.profile.mfaSerial;
      const canReuseSourceMfa = !!sourceSerial && (!profile.mfaSerial || profile.mfaSerial === sourceSerial);
      if (!canReuseSourceMfa || wanted > CHAINED_ROLE_MAX_SECONDS) return this.assumeFromLongTermKey(hop, wanted);
      return this.fromSource(hop, (base) => this.assume(hop, base, wanted, undefined, base.mfaSerial));
    }

    // Role chaining: AWS limits the new session to one hour whatever the role allows.
    const duration = Math.min(wanted, CHAINED_ROLE_MAX_SECONDS);
    if (need.isTarget && this.request.durationSeconds && this.request.durationSeconds > CHAINED_ROLE_MAX_SECONDS) {
      this.warnings.push(chainedRoleCapped(profile.name));
    }
    return this.fromSource(hop, async (base) => {
      const ownSerial = profile.mfaSerial !== undefined && base.mfaSerial !== profile.mfaSerial ? profile.mfaSerial : undefined;
      const mfa = ownSerial ? await this.mfaParameters(profile.name, ownSerial, profile.mfaProcess) : undefined;
      return this.assume(hop, base, duration, mfa, ownSerial ?? base.mfaSerial);
    });
  }

  /**
   * Assumes a role with its source's session. A cached source session that STS refuses before its
   * expiry (the clock moved, it was revoked) is dropped and made again from the level below, once:
   * asking for a new MFA code if that level needs one. A session refused although it is brand new
   * is not retried, so this never loops, and the line names the profile whose session it was.
   */
  private async fromSource(hop: RoleChain, assumeWith: (base: CachedSession) => Promise<CachedSession>): Promise<CachedSession> {
    const base = await this.session(hop.source, { isTarget: false });
    try {
      return await assumeWith(base.value);
    } catch (err) {
      if (!(err instanceof RejectedSessionError) || !base.fromCache) throw err;
      const owner = hop.source.profile.name;
      const current = this.deps.store.getSession(owner);
      // Only the refused session goes: another process may have stored a new one meanwhile.
      if (current?.accessKeyId === base.value.accessKeyId) this.deps.store.deleteSession(owner);
      const renewed = await this.session(hop.source, { isTarget: false, rejected: base.value.accessKeyId });
      const served = await assumeWith(renewed.value);
      this.warnings.push(renewedRejectedSession(owner));
      return served;
    }
  }

  /** AssumeRole straight from the root user's long-term key, with MFA on the call when one is configured. */
  async assumeFromLongTermKey(hop: RoleChain, durationSeconds?: number): Promise<CachedSession> {
    const { profile, source } = hop;
    if (source.kind !== 'user') {
      throw new KeytrayError('usage', 'A chained role cannot be assumed straight from a long-term key', {
        profile: profile.name,
        hint: 'Drop --no-session for this profile.',
      });
    }
    const longTerm = this.engine.longTermKey(source.profile.name);
    const serial = profile.mfaSerial ?? source.profile.mfaSerial;
    const mfa = serial ? await this.mfaParameters(profile.name, serial, profile.mfaProcess) : undefined;
    const duration = durationSeconds ?? ((this.request.durationSeconds || profile.durationSeconds) ?? DEFAULT_ROLE_SECONDS);
    return this.assume(hop, longTerm, duration, mfa, serial);
  }

  private async assume(
    hop: RoleChain,
    credentials: AwsCredentials,
    durationSeconds: number,
    mfa: MfaParameters | undefined,
    authenticatedSerial: string | undefined,
  ): Promise<CachedSession> {
    const { profile } = hop;
    const issued = await this.call(hop, 'AssumeRole', credentials, mfa, (sts) =>
      sts.assumeRole(credentials, {
        roleArn: profile.roleArn,
        roleSessionName: profile.roleSessionName ?? defaultSessionName(hop),
        externalId: profile.externalId,
        durationSeconds,
        mfa,
      }),
    );
    return this.toCached(issued, 'role', hop, authenticatedSerial);
  }

  private async mfaParameters(profile: string, serial: string, mfaProcess: string | undefined): Promise<MfaParameters> {
    const code = await this.ctx.mfa({
      profile,
      requestedProfile: this.request.profile,
      serial,
      mfaProcess,
      requester: this.ctx.requester,
    });
    this.deps.guard.assertUnused(serial, code, profile);
    return { serialNumber: serial, tokenCode: code };
  }

  private async call(
    hop: ProfileChain,
    action: 'GetSessionToken' | 'AssumeRole',
    credentials: AwsCredentials,
    mfa: MfaParameters | undefined,
    run: (sts: StsGateway) => Promise<IssuedCredentials>,
  ): Promise<IssuedCredentials> {
    const sts = this.deps.stsFor(regionFor(hop.region, this.env));
    try {
      const issued = await run(sts);
      if (mfa) this.deps.guard.recordSent(mfa.serialNumber, mfa.tokenCode);
      return issued;
    } catch (err) {
      const aws = readAwsFailure(err);
      if (hop.kind === 'role' && credentials.sessionToken && rejectsTheSession(aws)) {
        // Refused at authentication, before STS looked at any MFA code: the code is not spent.
        throw new RejectedSessionError(hop.source.profile.name, aws, `${action} on ${hop.profile.roleArn}`, err);
      }
      const failure = describeStsFailure(err, {
        profile: hop.profile.name,
        action,
        roleArn: hop.kind === 'role' ? hop.profile.roleArn : undefined,
        accessKeyId: credentials.sessionToken ? undefined : credentials.accessKeyId,
        usedMfa: !!mfa,
      });
      // STS checked the code unless it never processed the request (throttled, 5xx, unreachable);
      // a checked code is spent whatever the answer, so it must not be sent again.
      if (mfa && failure.code !== 'sts-unavailable') this.deps.guard.recordSent(mfa.serialNumber, mfa.tokenCode);
      throw failure;
    }
  }

  private toCached(issued: IssuedCredentials, kind: CachedSession['kind'], hop: ProfileChain, mfaSerial?: string): CachedSession {
    return {
      accessKeyId: issued.accessKeyId,
      secretAccessKey: issued.secretAccessKey,
      sessionToken: issued.sessionToken,
      expiration: issued.expiration,
      kind,
      mfaSerial,
      definition: hop.definition,
      configStamp: configStampOf(this.config.fingerprint),
    };
  }
}

/** CloudTrail shows the session name; naming it after the user who assumed it keeps trails readable. */
function defaultSessionName(hop: RoleChain): string {
  return `keytray-${hop.root.name}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

function stripMeta(s: CachedSession): AwsCredentials {
  return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: s.expiration };
}
