import { KeytrayError } from '../errors';
import { NetworkFailure } from '../net/networkFailure';
import { MAX_ATTEMPTS } from '../net/awsClientOptions';
import { isUnavailable } from '../sts/awsFailure';
import type { SsoSessionConfig } from './ssoConfig';
import { readSsoFailure } from './ssoGateway';

/**
 * IAM Identity Center failures as the one line a user reads: what happened, to which session or
 * profile, and the command that fixes it. Tokens and client secrets never appear: AWS's messages
 * for these APIs name neither.
 */

export interface SsoFailureContext {
  profile?: string;
  accountId?: string;
  roleName?: string;
}

export function describeSsoFailure(err: unknown, session: SsoSessionConfig, action: string, ctx: SsoFailureContext = {}): KeytrayError {
  if (err instanceof KeytrayError) return err;
  // No answer at all (timeout, refused, proxy): the network policy words that, naming the endpoint.
  if (err instanceof NetworkFailure) return err.toKeytrayError({ profile: ctx.profile, action });
  const f = readSsoFailure(err);
  const which = session.name ? `IAM Identity Center session "${session.name}"` : `IAM Identity Center at ${session.startUrl}`;
  const login = `Run \`${session.loginCommand}\`.`;

  if (f.code === 'AccessDeniedException') {
    return new KeytrayError('sso-denied', `The sign-in to ${which} was denied`, { profile: ctx.profile, hint: `${login.replace(/\.$/, '')} again and allow the request.`, cause: err });
  }
  if (f.code === 'ExpiredTokenException' && action === 'CreateToken') {
    return new KeytrayError('sso-expired', `The device code for ${which} expired before the sign-in was confirmed`, {
      profile: ctx.profile,
      hint: `Run \`${session.loginCommand} --device-code\` again and confirm the code within its time.`,
      cause: err,
    });
  }
  if (f.code === 'ForbiddenException' && action === 'GetRoleCredentials') {
    return new KeytrayError('sts-denied', `IAM Identity Center does not assign you the role "${ctx.roleName}" in account ${ctx.accountId}`, {
      profile: ctx.profile,
      hint: `Ask your administrator for the assignment, or run \`keytray sso populate ${session.name ?? '<session>'} --dry-run\` to see the roles you have.`,
      cause: err,
    });
  }
  if (f.code === 'UnauthorizedException') {
    return signedOut(session, ctx.profile, 'has ended', err);
  }
  if (f.code === 'InvalidRequestException' && /start url|issuer/i.test(f.said)) {
    return new KeytrayError('config-invalid', `${which} refused the start URL ${session.startUrl}: ${f.said}`, {
      profile: ctx.profile,
      hint: 'Check sso_start_url and sso_region against your AWS access portal.',
      cause: err,
    });
  }
  if (isUnavailable(f)) {
    const why = f.throttled ? 'throttling' : f.status ? `HTTP ${f.status} ${f.code}` : f.said;
    return new KeytrayError('sts-unavailable', `IAM Identity Center is unavailable for ${action} (${why} after ${f.attempts ?? MAX_ATTEMPTS} attempts)`, {
      profile: ctx.profile,
      hint: 'Try again in a minute; if it persists check your network, sso_region and AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC.',
      cause: err,
    });
  }
  return new KeytrayError('sso-signin', `IAM Identity Center ${action} failed for ${which}: ${f.code}: ${f.said}`, { profile: ctx.profile, hint: login, cause: err });
}

/** No usable sign-in: never signed in, logged out, refresh token expired or revoked. */
export function signedOut(session: SsoSessionConfig, profile: string | undefined, how: string, cause?: unknown): KeytrayError {
  const which = session.name ? `IAM Identity Center session "${session.name}"` : `IAM Identity Center sign-in for ${session.startUrl}`;
  return new KeytrayError('sso-expired', `The ${which} ${how}`, { profile, hint: `Run \`${session.loginCommand}\`.`, cause });
}
