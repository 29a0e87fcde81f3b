import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { KeytrayError } from '../errors';
import { mayHaveReachedService, NetworkFailure, networkFailureKind, type NetworkRoute } from './networkFailure';
import { anyProxyConfigured, proxyFor } from './proxyRoutes';

/**
 * The network policy of every AWS call Keytray makes, in one place: connect and response timeouts,
 * retries bounded in total time, and the proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) as the
 * AWS CLI honours them. An endpoint that accepts the connection and never answers ends the call
 * within CALL_BUDGET_MS, and the failure names the endpoint, the proxy and what to check.
 *
 * With an AWS SDK v3 client:
 *
 *   const net = awsClientOptions(env, { service: 'SSO_OIDC', region });
 *   const client = new SSOOIDCClient({ ...net.clientOptions });
 *   try {
 *     const out = await net.call(() => client.send(new CreateTokenCommand({ … })));
 *   } catch (err) {
 *     if (err instanceof NetworkFailure) throw err.toKeytrayError({ profile, action: 'CreateToken' });
 *     throw …; // an answer from AWS: word it as before
 *   }
 *
 * `clientOptions` carries `region`, the endpoint override (AWS_ENDPOINT_URL_<SERVICE>, then
 * AWS_ENDPOINT_URL), the retry strategy and the request handler's options (the SDK builds its
 * NodeHttpHandler from them); spread it first and add `credentials`. Set `oneShot` when the request
 * carries a one-time value (an MFA code, a refresh token that rotates): it is then never resent
 * after a failure that may have reached AWS. For a plain HTTP request without an SDK client (the
 * sign-in federation endpoint, the `aws login` token endpoint) use `boundedHttpRequest` from
 * `./boundedHttpRequest`, which applies the same policy.
 */

/** A TCP connection to AWS (or the proxy) takes well under a second; five covers a slow VPN. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** One attempt, connect included. STS, IAM and SSO answer in well under a second. */
export const RESPONSE_TIMEOUT_MS = 8_000;
/**
 * No retry starts that could not end within this much time from the first attempt, so an endpoint
 * that never answers gives its one line in about 16 s: two attempts of RESPONSE_TIMEOUT_MS.
 */
export const CALL_BUDGET_MS = 20_000;
/** Throttling and 5xx answers are retried up to this many attempts in all, inside the budget. */
export const MAX_ATTEMPTS = 4;

export type AwsService = 'STS' | 'IAM' | 'SSO' | 'SSO_OIDC' | 'SIGNIN';

export interface AwsCallPurpose {
  service: AwsService;
  /** The signing region; it also names the default endpoint in messages. */
  region: string;
  /** The request carries a one-time value (MFA code, rotating refresh token): never resent once it may have arrived. */
  oneShot?: boolean;
  /** The URL called, when it is not the service's (an `aws login` token endpoint, the federation endpoint). */
  endpoint?: string;
  /** The variable that sets `endpoint`, for the message (KEYTRAY_SIGNIN_URL for the federation endpoint). */
  endpointVariable?: string;
}

/** Structurally the SDK's RetryStrategyV2, so core does not import @smithy/types. */
export interface BoundedRetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: { errorType: string; error?: unknown; retryAfterHint?: Date }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/** What an SDK v3 client constructor takes from the policy. */
export interface AwsSdkClientOptions {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  retryStrategy: BoundedRetryStrategy;
  /** NodeHttpHandler options: the SDK builds its handler from them. */
  requestHandler: {
    connectionTimeout: number;
    requestTimeout: number;
    /** Without it the handler only logs a warning when requestTimeout passes, and keeps waiting. */
    throwOnRequestTimeout: true;
    httpAgent: http.Agent;
    httpsAgent: https.Agent;
    logger: SilentLogger;
  };
}

export interface AwsNetwork {
  clientOptions: AwsSdkClientOptions;
  /** Where the call goes, for messages. */
  route: NetworkRoute;
  /** Runs one SDK send; a failure on the network comes out as a NetworkFailure, anything else as it was. */
  call<T>(send: () => Promise<T>): Promise<T>;
  /** The NetworkFailure an error is, if it is one. */
  failureOf(err: unknown, elapsedMs: number): NetworkFailure | undefined;
}

export function awsClientOptions(env: NodeJS.ProcessEnv, purpose: AwsCallPurpose): AwsNetwork {
  const override = endpointOverride(purpose.service, env);
  const route = routeFor(env, purpose, override);
  const agents = agentsFor(env);
  const clientOptions: AwsSdkClientOptions = {
    region: purpose.region,
    ...(override && !purpose.endpoint ? { endpoint: override } : {}),
    maxAttempts: MAX_ATTEMPTS,
    retryStrategy: boundedRetryStrategy({ oneShot: !!purpose.oneShot }),
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: RESPONSE_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      httpAgent: agents.http,
      httpsAgent: agents.https,
      logger: silentLogger,
    },
  };
  const failureOf = (err: unknown, elapsedMs: number) => {
    if (err instanceof NetworkFailure) return err;
    const metadata = (err as { $metadata?: { attempts?: number; httpStatusCode?: number; requestId?: string } })?.$metadata;
    const attempts = metadata?.attempts ?? 1;
    // Every AWS answer carries a request id; an HTTP error without one through a proxy is the
    // proxy's own (tinyproxy's 500 when the endpoint is unreachable, a 407 for credentials).
    if (route.proxy && metadata?.httpStatusCode && !metadata.requestId) {
      return new NetworkFailure('proxy-answered', route, `HTTP ${metadata.httpStatusCode}`, elapsedMs, attempts);
    }
    const k = networkFailureKind(err);
    if (!k) return undefined;
    return new NetworkFailure(k.kind, route, k.errno, elapsedMs, attempts);
  };
  return {
    clientOptions,
    route,
    failureOf,
    async call(send) {
      const started = Date.now();
      try {
        return await send();
      } catch (err) {
        throw failureOf(err, Date.now() - started) ?? err;
      }
    },
  };
}

/** AWS_ENDPOINT_URL_<SERVICE> over AWS_ENDPOINT_URL, as the AWS SDK for JavaScript reads them. */
export function endpointOverride(service: AwsService, env: NodeJS.ProcessEnv): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** Where a call goes and which variables decide it, for the failure message. */
export function routeFor(env: NodeJS.ProcessEnv, purpose: AwsCallPurpose, override = endpointOverride(purpose.service, env)): NetworkRoute {
  const specific = `AWS_ENDPOINT_URL_${purpose.service}`;
  const endpoint = purpose.endpoint ?? override ?? defaultEndpoint(purpose.service, purpose.region);
  const endpointVariable = purpose.endpointVariable ?? (!env[specific] && env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : specific);
  const proxyVariable = endpoint.startsWith('http:') ? 'HTTP_PROXY' : 'HTTPS_PROXY';
  return { service: purpose.service, endpoint, endpointVariable, proxy: proxyFor(endpoint, env), proxyVariable };
}

function defaultEndpoint(service: AwsService, region: string): string {
  const dns = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  switch (service) {
    case 'STS':
      return `https://sts.${region}.${dns}`;
    case 'IAM':
      if (region.startsWith('cn-')) return 'https://iam.cn-north-1.amazonaws.com.cn';
      if (region.startsWith('us-gov-')) return 'https://iam.us-gov.amazonaws.com';
      return 'https://iam.amazonaws.com';
    case 'SSO':
      return `https://portal.sso.${region}.${dns}`;
    case 'SSO_OIDC':
      return `https://oidc.${region}.${dns}`;
    case 'SIGNIN':
      return 'https://signin.aws.amazon.com';
  }
}

/**
 * Exponential backoff with full jitter, for throttling, 5xx and connection failures only, never past
 * the call's budget; a oneShot request is not resent once it may have reached the service.
 */
export function boundedRetryStrategy(options: { oneShot: boolean; budgetMs?: number; attemptMs?: number; maxAttempts?: number }): BoundedRetryStrategy {
  const budgetMs = options.budgetMs ?? CALL_BUDGET_MS;
  const attemptMs = options.attemptMs ?? RESPONSE_TIMEOUT_MS;
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const token = (count: number, startedAt: number, delay: number): RetryToken & { startedAt: number } => ({
    startedAt,
    getRetryCount: () => count,
    getRetryDelay: () => delay,
  });
  return {
    async acquireInitialRetryToken() {
      return token(0, Date.now(), 0);
    },
    async refreshRetryTokenForRetry(previous, info) {
      const startedAt = (previous as ReturnType<typeof token>).startedAt ?? Date.now();
      const next = previous.getRetryCount() + 1;
      // Thrown values are replaced by the failed attempt's own error in the SDK's retry middleware.
      const refuse = () => Promise.reject(new Error('no retry'));
      if (next >= maxAttempts) return refuse();
      if (info.errorType !== 'THROTTLING' && info.errorType !== 'TRANSIENT') return refuse();
      if (options.oneShot && mayHaveReachedService(info.error)) return refuse();
      const ceiling = Math.min(5_000, (info.errorType === 'THROTTLING' ? 500 : 100) * 2 ** (next - 1));
      let delay = Math.round(Math.random() * ceiling);
      if (info.retryAfterHint instanceof Date) delay = Math.max(delay, info.retryAfterHint.getTime() - Date.now());
      if (Date.now() - startedAt + delay + attemptMs > budgetMs) return refuse();
      return token(next, startedAt, delay);
    },
    recordSuccess() {
      // Nothing to replenish: the budget is per call, not shared across calls.
    },
  };
}

interface SilentLogger {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
}

/**
 * The request handler would otherwise warn on the console (socket pool usage), and a
 * credential_process helper's stderr reads as a failure under the AWS CLI. Failures reach the user
 * as errors, worded by the caller.
 */
const silentLogger: SilentLogger = { debug() {}, info() {}, warn() {}, error() {} };

interface Agents {
  http: http.Agent;
  https: https.Agent;
}

const agentCache = new Map<string, Agents>();
const FREE_SOCKET_TIMEOUT_MS = 15_000;
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'];

/**
 * The agents for every AWS call of a process, shared so that connections are reused and the agent's
 * sockets stay bounded (50 per host). With a proxy variable set, one `proxy-agent` ProxyAgent picks,
 * per request, the proxy or a direct connection by the same rules as the failure messages.
 * AWS_CA_BUNDLE replaces the trusted certificates, as it does for the AWS CLI: a proxy that
 * inspects TLS signs with its own CA.
 */
export function agentsFor(env: NodeJS.ProcessEnv): Agents {
  const caBundle = env.AWS_CA_BUNDLE || undefined;
  const proxied = anyProxyConfigured(env);
  const key = [caBundle ?? '', ...(proxied ? PROXY_VARIABLES.map((k) => env[k] ?? '') : ['direct'])].join('\0');
  let agents = agentCache.get(key);
  if (agents) return agents;
  const options = {
    keepAlive: true,
    maxSockets: 50,
    // Idle kept-alive sockets are closed after 15 s, before servers and load balancers drop theirs
    // (commonly 60 s): a request sent on a socket the far end is closing fails as a reset, and one
    // that carries an MFA code is not resent.
    timeout: FREE_SOCKET_TIMEOUT_MS,
    ...(caBundle ? { ca: readCaBundle(caBundle) } : {}),
  };
  if (proxied) {
    const agent = new (loadProxyAgent())({ ...options, getProxyForUrl: (url: string) => proxyFor(url, env) ?? '' });
    agents = { http: agent, https: agent as unknown as https.Agent };
  } else {
    agents = { http: new http.Agent(options), https: new https.Agent(options) };
  }
  agentCache.set(key, agents);
  return agents;
}

function readCaBundle(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KeytrayError('config-invalid', `AWS_CA_BUNDLE names a file that cannot be read: ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, {
      hint: 'Point it at a PEM file of CA certificates, or unset it.',
    });
  }
}

type ProxyAgentConstructor = new (options: https.AgentOptions & { getProxyForUrl: (url: string) => string }) => http.Agent;

function loadProxyAgent(): ProxyAgentConstructor {
  try {
    // proxy-agent is an ES module: required here (Node 20.19 and later load ES modules through
    // require) and only when a proxy variable is set, so a direct call never pays for it.
    return (require('proxy-agent') as { ProxyAgent: ProxyAgentConstructor }).ProxyAgent;
  } catch (err) {
    throw new KeytrayError('io', `Could not load the proxy support for HTTPS_PROXY/HTTP_PROXY (${(err as NodeJS.ErrnoException).code ?? 'load failure'})`, {
      hint: 'Use Node.js 20.19 or later, or unset HTTPS_PROXY and HTTP_PROXY.',
    });
  }
}
