import { KeytrayError } from '../errors';
import { describeProxy } from './proxyRoutes';

/**
 * A request that never got an answer from AWS: no answer in time, no connection, refused,
 * unresolvable, or cut off. It carries what the one line a user reads must name (the service, the
 * endpoint, the proxy, how long it waited) and becomes a KeytrayError once the caller adds the
 * profile and the action.
 */
export type NetworkFailureKind =
  /** Connected (or sent), then silence until the response timeout. */
  | 'no-answer'
  /** No TCP connection within the connect timeout: a dropped SYN, a dead VPN, a firewall. */
  | 'no-connection'
  | 'refused'
  | 'unresolved'
  | 'unreachable'
  /** The connection closed before a whole answer arrived. */
  | 'reset'
  /** The server's certificate is not trusted: often a proxy that inspects TLS with its own CA. */
  | 'untrusted'
  /** The proxy answered itself (it could not reach the endpoint, refused, wants credentials) instead of forwarding. */
  | 'proxy-answered';

/** Where a call went, as the failure message names it. */
export interface NetworkRoute {
  /** `STS`, `IAM`, `SSO`, `SSO_OIDC`, `SIGNIN`: also the suffix of its AWS_ENDPOINT_URL_ variable. */
  service: string;
  /** The URL called (the override, or the default endpoint for the region). */
  endpoint: string;
  /** The variable that set the endpoint, or the one that would override it. */
  endpointVariable: string;
  /** The proxy the call went through, when one applies. */
  proxy?: string;
  /** The variable the proxy came from (HTTPS_PROXY or HTTP_PROXY, by the endpoint's scheme). */
  proxyVariable: string;
}

export class NetworkFailure extends Error {
  override readonly name = 'NetworkFailure';

  constructor(
    readonly kind: NetworkFailureKind,
    readonly route: NetworkRoute,
    /** The system error code (ECONNREFUSED, ENOTFOUND…), or the proxy's HTTP status, when there is one. */
    readonly errno: string | undefined,
    readonly elapsedMs: number,
    readonly attempts: number,
  ) {
    super(`${route.service} at ${hostOf(route.endpoint)}: ${kind}${errno ? ` (${errno})` : ''}`);
  }

  /**
   * The one line: what failed and where, for which profile, and what to check. `action` names the
   * call (GetSessionToken, CreateToken…) and, for roles, its target.
   */
  toKeytrayError(ctx: { profile?: string; action: string }): KeytrayError {
    const { service, endpoint, proxy } = this.route;
    const seconds = Math.max(1, Math.round(this.elapsedMs / 1000));
    const tries = this.attempts > 1 ? `, ${this.attempts} attempts` : '';
    const via = proxy ? ` through the proxy ${describeProxy(proxy)}` : '';
    const code = this.errno ? ` (${this.errno})` : '';
    let what: string;
    switch (this.kind) {
      case 'no-answer':
        what = `${service} at ${endpoint} did not answer ${ctx.action}${via} within ${seconds} s${tries ? ` (${tries.slice(2)})` : ''}`;
        break;
      case 'no-connection':
        what = proxy
          ? `Could not connect to the proxy ${describeProxy(proxy)} for ${ctx.action} at ${service} ${endpoint} within ${seconds} s`
          : `Could not connect to ${service} at ${endpoint} for ${ctx.action} within ${seconds} s`;
        break;
      case 'refused':
        what = proxy
          ? `The proxy ${describeProxy(proxy)} refused the connection for ${ctx.action} at ${service} ${endpoint}${code}`
          : `${service} at ${endpoint} refused the connection for ${ctx.action}${code}`;
        break;
      case 'unresolved':
        what = proxy
          ? `Could not resolve the proxy host ${hostOf(proxy)} for ${ctx.action} at ${service} ${endpoint}${code}`
          : `Could not resolve the ${service} host ${hostOf(endpoint)} for ${ctx.action}${code}`;
        break;
      case 'unreachable':
        what = `No network route to ${proxy ? `the proxy ${describeProxy(proxy)}` : `${service} at ${endpoint}`} for ${ctx.action}${code}`;
        break;
      case 'reset':
        what = `The connection to ${service} at ${endpoint}${via} closed before ${ctx.action} was answered${code}`;
        break;
      case 'untrusted':
        what = `The certificate of ${service} at ${endpoint}${via} is not trusted, so ${ctx.action} was not sent${code}`;
        break;
      case 'proxy-answered':
        what = `The proxy ${proxy ? describeProxy(proxy) : ''} answered ${this.errno ?? 'an error'} to ${ctx.action} for ${service} at ${endpoint} instead of forwarding it`;
        break;
    }
    return new KeytrayError('sts-unavailable', what, { profile: ctx.profile, hint: this.advice(), cause: this });
  }

  private advice(): string {
    const { endpointVariable, proxy, proxyVariable } = this.route;
    if (this.kind === 'proxy-answered') {
      return this.errno === 'HTTP 407'
        ? `The proxy wants a user name and password: put them in ${proxyVariable} (http://user:password@host:port).`
        : `Check that the proxy can reach ${this.route.endpoint} (or list the host in NO_PROXY), and ${endpointVariable}.`;
    }
    if (this.kind === 'untrusted') {
      return `A proxy that inspects TLS needs its CA certificate: set AWS_CA_BUNDLE to a PEM file that holds it. Otherwise check ${endpointVariable}.`;
    }
    const proxyAdvice = proxy
      ? `the proxy (${proxyVariable}; NO_PROXY to go around it)`
      : `whether you need a proxy (${proxyVariable})`;
    return `Check your network and VPN, ${proxyAdvice}, and ${endpointVariable}.`;
  }
}

/** The kind of network failure `err` is (an SDK or Node error, or one in its cause chain), if it is one. */
export function networkFailureKind(err: unknown): { kind: NetworkFailureKind; errno?: string } | undefined {
  for (let e = err as ErrorLike | undefined, depth = 0; e && depth < 5; e = e.cause as ErrorLike | undefined, depth++) {
    const kind = kindOf(e);
    if (kind) return kind;
  }
  return undefined;
}

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
}

const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function kindOf(e: ErrorLike): { kind: NetworkFailureKind; errno?: string } | undefined {
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  // @smithy/node-http-handler's own timeouts: named TimeoutError, told apart by their message.
  if (e.name === 'TimeoutError' && /establish a connection/i.test(message)) return { kind: 'no-connection' };
  if (e.name === 'TimeoutError' || code === 'ETIMEDOUT') return { kind: 'no-answer' };
  if (code === 'ECONNREFUSED') return { kind: 'refused', errno: code };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') return { kind: 'unresolved', errno: code };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENETDOWN' || code === 'EHOSTDOWN') return { kind: 'unreachable', errno: code };
  if (code && UNTRUSTED_CERTIFICATE.has(code)) return { kind: 'untrusted', errno: code };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || /socket hang up/i.test(message)) return { kind: 'reset', errno: code ?? 'socket hang up' };
  return undefined;
}

/**
 * Whether a request that failed on the network may have reached the service and been acted on: it
 * was sent and then no whole answer came back. A request that carries a one-time value (an MFA code,
 * a rotating refresh token) is not sent again after such a failure: AWS may have spent the value,
 * and a resend would be refused as a reuse. Refused, unresolved and unconnected requests never left.
 */
export function mayHaveReachedService(err: unknown): boolean {
  const k = networkFailureKind(err)?.kind;
  return k === 'no-answer' || k === 'reset';
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
