import type { AwsConfig, RoleProfile, UserProfile } from '../config/awsConfig';
import { KeytrayError, oneLine } from '../errors';
import { boundedHttpRequest, type BoundedResponse } from '../net/boundedHttpRequest';
import { NetworkFailure } from '../net/networkFailure';
import { resolveChain } from '../sessions/profileChain';
import { CHAINED_ROLE_MAX_SECONDS, type RequestContext, type SessionEngine } from '../sessions/sessionEngine';
import { chainedConsoleCapped } from '../sessions/sessionWarnings';
import { partitionOf, regionFor } from '../sts/endpoints';
import { createSdkStsGateway, describeStsFailure, type StsGateway } from '../sts/stsGateway';
import type { AwsCredentials } from '../types';
import { consoleDestination, loginUrl, signinEndpointFor, type Partition } from './consoleUrls';

/**
 * Console sign-in (SPEC §4 Console), the aws-vault `login` flow:
 * - a role profile's session is exchanged for a sign-in token at the federation endpoint;
 * - an IAM user profile first gets a GetFederationToken session from its long-term key, because
 *   GetSessionToken credentials cannot sign in to the console.
 * The result is a login URL. It is a bearer secret until the token expires (15 minutes): callers
 * print it to stdout or hand it to a browser, and never log it.
 */

/** GetFederationToken's session policy: the session gets exactly the user's own permissions. */
export const ALLOW_ALL_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

/** GetFederationToken's Name is 2 to 32 characters of [\w+=,.@-]. */
const FEDERATION_NAME_MAX = 32;
const DEFAULT_FEDERATION_SECONDS = 3600;

export interface ConsoleSigninDeps {
  engine: Pick<SessionEngine, 'getCredentials' | 'longTermKey'>;
  loadConfig: () => AwsConfig;
  env?: NodeJS.ProcessEnv;
  /** STS for an IAM user's GetCallerIdentity and GetFederationToken; the SDK one by default. */
  stsFor?: (region: string) => StsGateway;
}

export interface ConsoleRequest {
  profile: string;
  /** A console path or URL; the console home by default. */
  destination?: string;
  /** The console's region; the profile's (or the environment's) by default. */
  region?: string;
  /** How long the console session lasts; AWS's default (1 hour) when omitted. */
  durationSeconds?: number;
}

export interface ConsoleSignin {
  /** The login URL: a secret. */
  url: string;
  /** Who the browser will be signed in as, for the message shown to the user. */
  identityArn?: string;
  warnings: string[];
}

export async function createConsoleSignin(deps: ConsoleSigninDeps, request: ConsoleRequest, ctx: RequestContext): Promise<ConsoleSignin> {
  const env = deps.env ?? process.env;
  const config = deps.loadConfig();
  const chain = resolveChain(config, request.profile);
  const region = request.region ?? chain.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  const warnings: string[] = [];

  const session =
    chain.kind === 'user'
      ? await federationSession(deps, chain.profile, regionFor(chain.region, env), request.durationSeconds)
      : await roleSession(deps, chain.profile, request, ctx, warnings);

  const signinEndpoint = signinEndpointFor(session.partition, env);
  const token = await signinToken(deps, signinEndpoint, session, request, warnings);
  const destination = consoleDestination(session.partition, request.destination, region);
  return { url: loginUrl(signinEndpoint, token, destination), identityArn: session.arn, warnings };
}

interface ConsoleSession {
  profile: string;
  credentials: AwsCredentials;
  kind: 'role' | 'federation';
  partition: Partition;
  arn?: string;
}

async function roleSession(
  deps: ConsoleSigninDeps,
  profile: RoleProfile,
  request: ConsoleRequest,
  ctx: RequestContext,
  warnings: string[],
): Promise<ConsoleSession> {
  // The role session's own duration is left to the profile: the console session length is a
  // separate parameter of getSigninToken, so --duration must not force a fresh AssumeRole.
  const served = await deps.engine.getCredentials({ profile: profile.name, region: request.region }, ctx);
  warnings.push(...served.warnings);
  return { profile: profile.name, credentials: served.credentials, kind: 'role', partition: partitionOf(profile.roleArn), arn: profile.roleArn };
}

/**
 * GetFederationToken from the user's long-term key. It accepts no MFA, so this works for users
 * without MFA and for users whose policies do not demand it; the federated user's permissions are
 * the intersection of the user's and the allow-all session policy, i.e. the user's own.
 */
async function federationSession(
  deps: ConsoleSigninDeps,
  profile: UserProfile,
  stsRegion: string,
  durationSeconds: number | undefined,
): Promise<ConsoleSession> {
  const env = deps.env ?? process.env;
  const key = deps.engine.longTermKey(profile.name);
  const sts = (deps.stsFor ?? ((r: string) => createSdkStsGateway(r, env)))(stsRegion);

  // GetCallerIdentity needs no IAM permission, unlike iam:GetUser.
  let userArn: string;
  try {
    userArn = (await sts.getCallerIdentity(key)).arn;
  } catch (err) {
    throw describeStsFailure(err, { profile: profile.name, action: 'GetCallerIdentity', accessKeyId: key.accessKeyId });
  }
  const name = federationName(userArn);
  try {
    const issued = await sts.getFederationToken(key, {
      name,
      policy: ALLOW_ALL_POLICY,
      durationSeconds: durationSeconds ?? DEFAULT_FEDERATION_SECONDS,
    });
    return { profile: profile.name, credentials: issued, kind: 'federation', partition: partitionOf(userArn), arn: issued.arn };
  } catch (err) {
    const e = describeStsFailure(err, { profile: profile.name, action: 'GetFederationToken', accessKeyId: key.accessKeyId });
    if (e.code === 'sts-denied' && /GetFederationToken/.test(e.message) && !/rejected the access key/.test(e.message)) {
      throw new KeytrayError('sts-denied', e.message, {
        profile: profile.name,
        hint: 'GetFederationToken cannot carry MFA; allow sts:GetFederationToken for the user, or open the console through a role profile.',
        cause: err,
      });
    }
    throw e;
  }
}

/** The IAM user's name from its ARN (arn:aws:iam::ACCOUNT:user/PATH/NAME), cut to 32 characters. */
export function federationName(userArn: string): string {
  const m = /^arn:[\w-]+:iam::\d+:user\/(?:.*\/)?([\w+=,.@-]+)$/.exec(userArn);
  const name = (m?.[1] ?? 'keytray').slice(0, FEDERATION_NAME_MAX);
  // A one-character user name is valid for IAM but too short for GetFederationToken.
  return name.length < 2 ? `${name}-keytray` : name;
}

/**
 * getSigninToken. SessionDuration applies to role sessions only (AWS refuses it for federation
 * sessions, whose console session follows the credentials), and is capped at one hour for chained
 * roles, which Keytray's roles usually are since they are assumed from the MFA session. Rather than
 * guess, a longer request that AWS refuses is retried at one hour with a warning.
 */
async function signinToken(
  deps: ConsoleSigninDeps,
  endpoint: string,
  session: ConsoleSession,
  request: ConsoleRequest,
  warnings: string[],
): Promise<string> {
  // For a federation session --duration was already spent on the session itself.
  const wanted = session.kind === 'role' ? request.durationSeconds : undefined;
  const first = await requestSigninToken(deps, endpoint, session, wanted);
  if (first.token) return first.token;
  if (wanted !== undefined && wanted > CHAINED_ROLE_MAX_SECONDS && first.status === 400) {
    const retry = await requestSigninToken(deps, endpoint, session, CHAINED_ROLE_MAX_SECONDS);
    if (retry.token) {
      warnings.push(chainedConsoleCapped(session.profile));
      return retry.token;
    }
  }
  throw first.error!;
}

interface SigninTokenAnswer {
  token?: string;
  status?: number;
  error?: KeytrayError;
}

async function requestSigninToken(
  deps: ConsoleSigninDeps,
  endpoint: string,
  session: ConsoleSession,
  sessionDuration: number | undefined,
): Promise<SigninTokenAnswer> {
  const c = session.credentials;
  const params = new URLSearchParams({ Action: 'getSigninToken' });
  if (sessionDuration !== undefined) params.set('SessionDuration', String(sessionDuration));
  params.set('Session', JSON.stringify({ sessionId: c.accessKeyId, sessionKey: c.secretAccessKey, sessionToken: c.sessionToken }));
  const url = new URL(endpoint);
  url.search = params.toString();
  const host = url.host;
  const env = deps.env ?? process.env;

  let response: BoundedResponse;
  try {
    // The endpoint is named without the query: the URL carries the session.
    response = await boundedHttpRequest(
      env,
      { service: 'SIGNIN', region: 'us-east-1', endpoint: `${url.origin}${url.pathname}`, endpointVariable: 'KEYTRAY_SIGNIN_URL' },
      url,
      // A sign-in token may be asked for twice: the session stays valid and AWS issues another.
      { method: 'GET', idempotent: true },
    );
  } catch (err) {
    if (err instanceof NetworkFailure) return { error: err.toKeytrayError({ profile: session.profile, action: 'getSigninToken' }) };
    // Neither the URL (it carries the session) nor the error's own message goes into the error.
    const cause = (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.name ?? 'network error';
    return {
      error: new KeytrayError('sts-unavailable', `Could not reach the AWS sign-in endpoint ${host} (${cause})`, {
        profile: session.profile,
        hint: 'Check your network, and KEYTRAY_SIGNIN_URL if it is set.',
      }),
    };
  }
  const body = response.body;
  if (response.status >= 200 && response.status < 300) {
    let token: unknown;
    try {
      token = (JSON.parse(body) as { SigninToken?: unknown }).SigninToken;
    } catch {
      token = undefined;
    }
    if (typeof token === 'string' && token.length > 0) return { token };
    return {
      status: response.status,
      error: new KeytrayError('sts-invalid', `The AWS sign-in endpoint ${host} answered without a sign-in token`, {
        profile: session.profile,
        hint: 'Check KEYTRAY_SIGNIN_URL if it is set.',
      }),
    };
  }
  const said = oneLine(body).slice(0, 200) || `HTTP ${response.status}`;
  const retryable = response.status >= 500 || response.status === 429;
  return {
    status: response.status,
    error: new KeytrayError(
      retryable ? 'sts-unavailable' : 'sts-denied',
      `The AWS sign-in endpoint refused the ${session.kind === 'role' ? 'role' : 'federation'} session: ${said} (HTTP ${response.status})`,
      {
        profile: session.profile,
        hint: retryable
          ? 'Try again in a minute.'
          : `Run \`keytray clear ${session.profile}\` and try again; if --duration was given, try a shorter one.`,
      },
    ),
  };
}
