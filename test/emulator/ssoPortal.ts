import type { EmulatorState, RoleRec } from './state';
import { jsonOk, SsoApiError, type JsonResponse } from './ssoOidc';
import { SsoState } from './ssoState';

/**
 * The AWS access portal API (portal.sso.REGION.amazonaws.com, API 2019-06-10): GetRoleCredentials,
 * ListAccounts, ListAccountRoles and Logout. Every call needs a live access token in the
 * `x-amz-sso_bearer_token` header; an expired, logged-out or rotated-away token is
 * UnauthorizedException, as in AWS. Role credentials are real STS sessions of the emulator, so
 * the STS side accepts them (GetCallerIdentity, AssumeRole as a role session).
 */

const portal = {
  unauthorized: (reason: string) => new SsoApiError(401, 'UnauthorizedException', 'Session token not found or invalid', undefined, reason),
  invalidRequest: (message: string, reason: string) => new SsoApiError(400, 'InvalidRequestException', message, undefined, reason),
  forbidden: () => new SsoApiError(403, 'ForbiddenException', 'No access', undefined, 'not-assigned'),
};

function userOf(sso: SsoState, headers: Map<string, string[]>): string {
  const values = headers.get('x-amz-sso_bearer_token') ?? [];
  if (values.length !== 1 || !values[0]) throw portal.unauthorized('missing-token');
  const user = sso.userOfAccessToken(values[0]);
  if (!user) throw portal.unauthorized(sso.tokensByAccess.has(values[0]) ? 'token-expired-or-revoked' : 'unknown-token');
  return user;
}

function required(query: URLSearchParams, key: string): string {
  const v = query.get(key);
  if (!v) throw portal.invalidRequest(`${key} is required`, `missing-${key}`);
  return v;
}

/** Opaque page tokens that name what they page through, so a token from another listing is refused. */
function pageOf<T>(items: T[], query: URLSearchParams, listing: string, pageSize: number): { page: T[]; nextToken?: string } {
  const maxText = query.get('max_result');
  let max = pageSize;
  if (maxText !== null) {
    const n = Number(maxText);
    if (!Number.isInteger(n) || n < 1 || n > 100) throw portal.invalidRequest('max_result must be 1..100', 'bad-max-result');
    max = Math.min(n, pageSize);
  }
  let offset = 0;
  const token = query.get('next_token');
  if (token !== null) {
    let parsed: { l?: unknown; o?: unknown } | undefined;
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.l !== listing || typeof parsed.o !== 'number' || parsed.o < 0 || parsed.o > items.length) {
      throw portal.invalidRequest('Invalid next_token', 'bad-next-token');
    }
    offset = parsed.o;
  }
  const page = items.slice(offset, offset + max);
  const next = offset + max;
  return { page, nextToken: next < items.length ? Buffer.from(JSON.stringify({ l: listing, o: next })).toString('base64url') : undefined };
}

export function getRoleCredentials(state: EmulatorState, sso: SsoState, user: string, query: URLSearchParams): JsonResponse {
  const roleName = required(query, 'role_name');
  const accountId = required(query, 'account_id');
  const assigned = sso.users.get(user)?.assignments.some((a) => a.accountId === accountId && a.roleName === roleName);
  if (!assigned) throw portal.forbidden();
  const role = reservedRole(state, accountId, roleName);
  const session = state.issueSession(
    { kind: 'assumed-role', account: accountId, role, roleSessionName: user, mfaAuthenticated: true, chained: false },
    sso.settings.roleCredentialSeconds,
  );
  return jsonOk('GetRoleCredentials', {
    roleCredentials: {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      // Epoch milliseconds, unlike STS's ISO dates.
      expiration: session.expiresAt,
    },
  });
}

/** The IAM role behind a permission set in an account; nobody may AssumeRole it (it trusts SAML only). */
function reservedRole(state: EmulatorState, accountId: string, roleName: string): RoleRec {
  const name = SsoState.reservedRoleName(accountId, roleName);
  return state.roles.get(`arn:aws:iam::${accountId}:role/${name}`) ?? state.createRole({ name, account: accountId, trustedPrincipals: [] });
}

export function listAccounts(sso: SsoState, user: string, query: URLSearchParams): JsonResponse {
  const seen = new Map<string, { accountId: string; accountName: string; emailAddress: string }>();
  for (const a of sso.users.get(user)?.assignments ?? []) {
    if (!seen.has(a.accountId)) seen.set(a.accountId, { accountId: a.accountId, accountName: a.accountName, emailAddress: a.emailAddress });
  }
  const { page, nextToken } = pageOf([...seen.values()], query, `accounts:${user}`, sso.settings.pageSize);
  return jsonOk('ListAccounts', { accountList: page, nextToken });
}

export function listAccountRoles(sso: SsoState, user: string, query: URLSearchParams): JsonResponse {
  const accountId = required(query, 'account_id');
  const roles = (sso.users.get(user)?.assignments ?? []).filter((a) => a.accountId === accountId).map((a) => ({ roleName: a.roleName, accountId }));
  const { page, nextToken } = pageOf(roles, query, `roles:${user}:${accountId}`, sso.settings.pageSize);
  return jsonOk('ListAccountRoles', { roleList: page, nextToken });
}

/** Logout ends the access token and the refresh token that came with it. */
export function logout(sso: SsoState, headers: Map<string, string[]>): JsonResponse {
  userOf(sso, headers);
  const t = sso.tokensByAccess.get(headers.get('x-amz-sso_bearer_token')![0])!;
  t.accessRevoked = true;
  t.refreshRevoked = true;
  return { status: 200, headers: { 'content-type': 'application/json' }, body: '', action: 'Logout' };
}

export { userOf as portalUserOf };
