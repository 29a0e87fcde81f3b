import type { AwsConfig, ProfileConfig } from '../config/awsConfig';
import { chainRegion, resolveProfileChain } from '../config/awsConfig';
import { KeytrayError } from '../errors';
import type { VaultStore } from '../keychain/vaultStore';
import type { MfaCodeProvider } from '../mfa/mfaCodeSources';
import type { TotpReuseGuard } from '../mfa/totpReuseGuard';
import { DEFAULT_SETTINGS } from '../settings';
import { regionFor } from '../sts/endpoints';
import type { IssuedCredentials, MfaParameters, StsGateway } from '../sts/stsGateway';
import { describeStsFailure } from '../sts/stsGateway';
import type { AwsCredentials, CachedSession, Clock } from '../types';
import { ssoRoleTarget } from '../sso/ssoConfig';
import type { SsoSessionTokens } from '../sso/ssoSessionTokens';
import type { ProfileLock } from './profileLock';
import { REUSE_MARGIN_MS } from './reuseMargin';
import { configStampOf } from './configStamp';
import { definitionOf } from './sessionDefinition';

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
  /** Duration of GetSessionToken sessions for user profiles (SPEC §3: 8 h unless configured). */
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
    const chain = resolveProfileChain(config, request.profile);
    const target = chain[0];
    const region = request.region ?? chainRegion(chain);
    const warnings: string[] = [];
    const resolver = new ChainResolver(this, config, request, ctx, warnings);

    if (request.noSession) {
      if (target.kind === 'sso') {
        throw new KeytrayError('usage', 'An IAM Identity Center profile has no long-term key to serve', {
          profile: target.name,
          hint: 'Drop --no-session for this profile.',
        });
      }
      const credentials = target.kind === 'user' ? this.longTermKey(target.name) : await resolver.assumeFromLongTermKey(target);
      return { profile: target.name, credentials, region, source: target.kind === 'user' ? 'long-term' : 'sts', warnings };
    }
    const session = await resolver.session(target, true);
    return { profile: target.name, credentials: stripMeta(session.value), region, source: session.fromCache ? 'cache' : 'sts', warnings };
  }

  /**
   * The cached session for a profile if it can be served as is. `cached` is the keychain item when
   * the caller has already read it (each read is a Secret Service round trip).
   */
  cachedUsable(profile: ProfileConfig, config: AwsConfig, cached = this.deps.store.getSession(profile.name)): CachedSession | null {
    if (!cached) return null;
    if (cached.definition !== definitionOf(config, profile.name)) return null;
    if (cached.expiration - this.deps.clock.now() <= REUSE_MARGIN_MS) return null;
    const stamp = configStampOf(config.fingerprint);
    if (cached.configStamp !== stamp) {
      // The file changed but not this profile: re-stamp so the fast path serves it again.
      const restamped = { ...cached, configStamp: stamp };
      this.deps.store.setSession(profile.name, restamped);
      return restamped;
    }
    return cached;
  }

  /** @internal used by ChainResolver */
  singleFlight(key: string, run: () => Promise<CachedSession>): Promise<CachedSession> {
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const locked = this.deps.lock ? () => this.deps.lock!.withLock(key, run) : run;
    const p = locked().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** @internal */
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

  /** @internal */
  get internals() {
    return { deps: this.deps, env: this.env };
  }
}

interface ResolvedSession {
  value: CachedSession;
  fromCache: boolean;
}

/** One request's walk down a profile chain. Holds the request's MFA context and warnings. */
class ChainResolver {
  constructor(
    private readonly engine: SessionEngine,
    private readonly config: AwsConfig,
    private readonly request: CredentialRequest,
    private readonly ctx: RequestContext,
    private readonly warnings: string[],
  ) {}

  private get deps() {
    return this.engine.internals.deps;
  }

  /** A usable session for `profile`: from the cache, or fresh from STS under the profile's lock. */
  async session(profile: ProfileConfig, isTarget: boolean): Promise<ResolvedSession> {
    const force = isTarget && this.request.forceRefresh;
    const cached = force ? null : this.engine.cachedUsable(profile, this.config);
    if (cached) return { value: cached, fromCache: true };

    let fromCache = false;
    const value = await this.engine.singleFlight(`session:${profile.name}`, async () => {
      // Another process may have refreshed it while we waited for the lock.
      const stale = this.deps.store.getSession(profile.name);
      const now = force ? null : this.engine.cachedUsable(profile, this.config, stale);
      if (now) {
        fromCache = true;
        return now;
      }
      try {
        const fresh =
          profile.kind === 'user'
            ? await this.mfaSession(profile, isTarget)
            : profile.kind === 'sso'
              ? await this.ssoRoleSession(profile)
              : await this.roleSession(profile, isTarget);
        this.deps.store.setSession(profile.name, fresh);
        return fresh;
      } catch (err) {
        // With no way to get an MFA code, a session that is still valid beats no credentials at all;
        // but not one made from settings since edited (another role, another MFA device), nor when
        // the caller asked for a fresh session.
        if (
          err instanceof KeytrayError &&
          err.code === 'mfa-required' &&
          stale &&
          !force &&
          stale.definition === definitionOf(this.config, profile.name) &&
          stale.expiration - this.deps.clock.now() > 60_000
        ) {
          const minutes = Math.floor((stale.expiration - this.deps.clock.now()) / 60_000);
          this.warnings.push(
            `keytray: the session for profile "${profile.name}" expires in ${minutes} min and no MFA code source is available to renew it.`,
          );
          fromCache = true;
          return stale;
        }
        throw err;
      }
    });
    return { value, fromCache };
  }

  /** GetSessionToken for a user profile: with MFA when it has mfa_serial (SPEC §3). */
  private async mfaSession(profile: ProfileConfig, isTarget: boolean): Promise<CachedSession> {
    const longTerm = this.engine.longTermKey(profile.name);
    const duration = (isTarget && this.request.durationSeconds) || this.deps.mfaSessionSeconds?.() || DEFAULT_SETTINGS.mfaSessionSeconds;
    const mfa = profile.mfaSerial ? await this.mfaParameters(profile, profile.mfaSerial) : undefined;
    const issued = await this.call(profile, 'GetSessionToken', longTerm, mfa, (sts) =>
      sts.getSessionToken(longTerm, { durationSeconds: duration, mfa }),
    );
    return this.toCached(issued, 'session', profile, profile.mfaSerial);
  }

  /** GetRoleCredentials for an IAM Identity Center profile, with the session's shared token. */
  private async ssoRoleSession(profile: ProfileConfig): Promise<CachedSession> {
    const sso = this.deps.sso;
    if (!sso) throw new KeytrayError('sso-signin', 'IAM Identity Center is not available here', { profile: profile.name });
    const target = ssoRoleTarget(this.config, profile);
    const issued = await sso.roleCredentials(target, { allowSignIn: this.deps.ssoSignInAllowed?.() ?? false, profile: profile.name });
    return this.toCached(issued, 'sso', profile);
  }

  /**
   * AssumeRole for a role profile. From a user source with MFA, the source's MFA session is reused so
   * one code covers the whole chain; a duration over an hour cannot be chained, so it assumes straight
   * from the long-term key with MFA on the call instead (SPEC §3).
   */
  private async roleSession(profile: ProfileConfig, isTarget: boolean): Promise<CachedSession> {
    const source = this.config.profile(profile.sourceProfile!);
    const wanted = (isTarget && this.request.durationSeconds) || profile.durationSeconds || DEFAULT_ROLE_SECONDS;

    if (source.kind === 'user') {
      const sourceSerial = source.mfaSerial;
      const roleSerial = profile.mfaSerial;
      const canReuseSourceMfa = !!sourceSerial && (!roleSerial || roleSerial === sourceSerial);
      if (canReuseSourceMfa && wanted <= CHAINED_ROLE_MAX_SECONDS) {
        const base = await this.session(source, false);
        return this.assume(profile, base.value, wanted, undefined, base.value.mfaSerial);
      }
      return this.assumeFromLongTermKey(profile, wanted);
    }

    // Role chaining: AWS limits the new session to one hour whatever the role allows.
    const base = await this.session(source, false);
    const duration = Math.min(wanted, CHAINED_ROLE_MAX_SECONDS);
    if (isTarget && this.request.durationSeconds && this.request.durationSeconds > CHAINED_ROLE_MAX_SECONDS) {
      this.warnings.push(`keytray: profile "${profile.name}" is a chained role; AWS caps its session at 1 hour.`);
    }
    const needsOwnMfa = !!profile.mfaSerial && base.value.mfaSerial !== profile.mfaSerial;
    const mfa = needsOwnMfa ? await this.mfaParameters(profile, profile.mfaSerial!) : undefined;
    return this.assume(profile, base.value, duration, mfa, mfa ? profile.mfaSerial : base.value.mfaSerial);
  }

  /** AssumeRole straight from the root user's long-term key, with MFA on the call when one is configured. */
  async assumeFromLongTermKey(profile: ProfileConfig, durationSeconds?: number): Promise<CachedSession> {
    const source = this.config.profile(profile.sourceProfile!);
    if (source.kind !== 'user') {
      throw new KeytrayError('usage', 'A chained role cannot be assumed straight from a long-term key', {
        profile: profile.name,
        hint: 'Drop --no-session for this profile.',
      });
    }
    const longTerm = this.engine.longTermKey(source.name);
    const serial = profile.mfaSerial ?? source.mfaSerial;
    const mfa = serial ? await this.mfaParameters(profile, serial) : undefined;
    const duration = durationSeconds ?? ((this.request.durationSeconds || profile.durationSeconds) ?? DEFAULT_ROLE_SECONDS);
    return this.assume(profile, longTerm, duration, mfa, serial);
  }

  private async assume(
    profile: ProfileConfig,
    credentials: AwsCredentials,
    durationSeconds: number,
    mfa: MfaParameters | undefined,
    authenticatedSerial: string | undefined,
  ): Promise<CachedSession> {
    const issued = await this.call(profile, 'AssumeRole', credentials, mfa, (sts) =>
      sts.assumeRole(credentials, {
        roleArn: profile.roleArn!,
        roleSessionName: profile.roleSessionName ?? this.defaultSessionName(profile),
        externalId: profile.externalId,
        durationSeconds,
        mfa,
      }),
    );
    return this.toCached(issued, 'role', profile, authenticatedSerial);
  }

  private async mfaParameters(profile: ProfileConfig, serial: string): Promise<MfaParameters> {
    const code = await this.ctx.mfa({
      profile: profile.name,
      requestedProfile: this.request.profile,
      serial,
      mfaProcess: profile.mfaProcess,
      requester: this.ctx.requester,
    });
    this.deps.guard.assertUnused(serial, code, profile.name);
    return { serialNumber: serial, tokenCode: code };
  }

  private async call(
    profile: ProfileConfig,
    action: string,
    credentials: AwsCredentials,
    mfa: MfaParameters | undefined,
    run: (sts: StsGateway) => Promise<IssuedCredentials>,
  ): Promise<IssuedCredentials> {
    const sts = this.deps.stsFor(regionFor(chainRegion(resolveProfileChain(this.config, profile.name)), this.engine.internals.env));
    try {
      const issued = await run(sts);
      if (mfa) this.deps.guard.recordSent(mfa.serialNumber, mfa.tokenCode);
      return issued;
    } catch (err) {
      const failure = describeStsFailure(err, {
        profile: profile.name,
        action,
        roleArn: action === 'AssumeRole' ? profile.roleArn : undefined,
        accessKeyId: credentials.sessionToken ? undefined : credentials.accessKeyId,
        usedMfa: !!mfa,
      });
      // STS checked the code unless it never processed the request (throttled, 5xx, unreachable);
      // a checked code is spent whatever the answer, so it must not be sent again.
      if (mfa && failure.code !== 'sts-unavailable') this.deps.guard.recordSent(mfa.serialNumber, mfa.tokenCode);
      throw failure;
    }
  }

  private toCached(issued: IssuedCredentials, kind: CachedSession['kind'], profile: ProfileConfig, mfaSerial?: string): CachedSession {
    return {
      accessKeyId: issued.accessKeyId,
      secretAccessKey: issued.secretAccessKey,
      sessionToken: issued.sessionToken,
      expiration: issued.expiration,
      kind,
      mfaSerial,
      definition: definitionOf(this.config, profile.name),
      configStamp: configStampOf(this.config.fingerprint),
    };
  }

  /** CloudTrail shows the session name; naming it after the user who assumed it keeps trails readable. */
  private defaultSessionName(profile: ProfileConfig): string {
    const chain = resolveProfileChain(this.config, profile.name);
    const user = chain[chain.length - 1].name;
    return `keytray-${user}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  }
}

function stripMeta(s: CachedSession): AwsCredentials {
  return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: s.expiration };
}
