import { KeytrayError, maskAccessKeyId, oneLine } from '../errors';
import { MAX_ATTEMPTS } from '../net/awsClientOptions';
import { NetworkFailure } from '../net/networkFailure';

/**
 * What the STS and IAM failure messages share: reading an AWS SDK v3 error, and the two answers
 * that mean the same for every AWS service (a refused access key; AWS busy or unreachable).
 */

/** An SDK error (or a Node socket error) reduced to what a message needs. */
export interface AwsFailure {
  /** AWS's error code, e.g. `AccessDenied`; `Error` when there is none. */
  code: string;
  status?: number;
  attempts?: number;
  /** AWS's own message on one line: it names ARNs, never secrets. */
  said: string;
  throttled: boolean;
  /** The request never got an answer: refused, reset, timed out or unresolvable. */
  network: boolean;
}

/** The error code AWS sent (`Code` in the body), else the SDK's error name. */
export function awsErrorCode(err: unknown): string | undefined {
  const e = err as { Code?: string; name?: string } | undefined;
  return e?.Code || e?.name;
}

export function readAwsFailure(err: unknown): AwsFailure {
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number; attempts?: number } } | undefined;
  const code = awsErrorCode(err) ?? 'Error';
  const said = oneLine(e?.message || String(err));
  return {
    code,
    status: e?.$metadata?.httpStatusCode,
    attempts: e?.$metadata?.attempts,
    said,
    throttled: /Throttl|RequestLimitExceeded|TooManyRequests/i.test(code),
    network: err instanceof NetworkFailure || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up/i.test(`${e?.code ?? ''} ${e?.name ?? ''} ${said}`),
  };
}

/** The key is unknown to AWS, deleted, or signed with the wrong secret (or a skewed clock). */
export function isRejectedKey(f: AwsFailure): boolean {
  return f.code === 'InvalidClientTokenId' || f.code === 'SignatureDoesNotMatch' || f.code === 'UnrecognizedClientException';
}

export function rejectedKeyError(f: AwsFailure, ctx: { profile: string; target: string; accessKeyId?: string; hint: string }, cause: unknown): KeytrayError {
  const key = ctx.accessKeyId ? ` ${maskAccessKeyId(ctx.accessKeyId)}` : '';
  return new KeytrayError('sts-denied', `AWS rejected the access key${key} (${f.code}) during ${ctx.target}`, { profile: ctx.profile, hint: ctx.hint, cause });
}

/** AWS did not process the request, so trying again later may work (and an MFA code was not spent). */
export function isUnavailable(f: AwsFailure): boolean {
  return f.throttled || (f.status !== undefined && f.status >= 500) || f.network;
}

export function unavailableError(service: 'STS' | 'IAM', f: AwsFailure, ctx: { profile: string; target: string }, cause: unknown): KeytrayError {
  // No answer at all: the line names the endpoint, the proxy and what to check instead.
  if (cause instanceof NetworkFailure) return cause.toKeytrayError({ profile: ctx.profile, action: ctx.target });
  const why = f.throttled ? 'throttling' : f.status ? `HTTP ${f.status} ${f.code}` : f.said;
  return new KeytrayError('sts-unavailable', `${service} is unavailable for ${ctx.target} (${why} after ${f.attempts ?? MAX_ATTEMPTS} attempts)`, {
    profile: ctx.profile,
    hint: `Try again in a minute; if it persists check your network and AWS_ENDPOINT_URL_${service}.`,
    cause,
  });
}
