import { errors } from './errors';
import { checkPolicy, checkString, mfaParams, optionalInt, requiredString } from './params';
import { EmulatorState, Principal, SessionRec } from './state';
import { isoSeconds, XmlFields } from './xml';

/**
 * STS actions (API version 2011-06-15). Each handler gets the authenticated caller and the request
 * parameters and returns the fields of `<{Action}Result>`, or throws an AwsError.
 */
export interface ActionContext {
  state: EmulatorState;
  principal: Principal;
  params: URLSearchParams;
}
export type ActionHandler = (ctx: ActionContext) => XmlFields | undefined;

const NAME_PATTERN = /^[\w+=,.@-]*$/;
const NAME_PATTERN_TEXT = '[\\w+=,.@-]*';
/** AssumeRole from temporary credentials ("role chaining") is capped at one hour. */
const ROLE_CHAINING_MAX_SECONDS = 3600;

function credentialsXml(session: SessionRec): XmlFields {
  return {
    AccessKeyId: session.accessKeyId,
    SecretAccessKey: session.secretAccessKey,
    SessionToken: session.sessionToken,
    Expiration: isoSeconds(session.expiresAt),
  };
}

function notAuthorized(principal: Principal, action: string, resource?: string, reason?: string) {
  return errors.accessDenied(
    `User: ${principal.arn} is not authorized to perform: sts:${action}` + (resource ? ` on resource: ${resource}` : ''),
    reason,
  );
}

/**
 * Federated users (GetFederationToken credentials) may call no STS action except GetCallerIdentity.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html
 */
function refuseFederatedUser(principal: Principal, action: string): void {
  if (principal.kind === 'federated-user') throw notAuthorized(principal, action, undefined, 'federated-user-sts');
}

const getCallerIdentity: ActionHandler = ({ principal }) => ({
  UserId: principal.userId,
  Account: principal.account,
  Arn: principal.arn,
});

/**
 * GetSessionToken: long-term IAM user keys only; optional MFA makes the session
 * MFA-authenticated (which IAM and MFA-gated roles then honour).
 */
const getSessionToken: ActionHandler = ({ state, principal, params }) => {
  refuseFederatedUser(principal, 'GetSessionToken');
  if (principal.kind !== 'user') {
    throw errors.accessDenied('Cannot call GetSessionToken with session credentials', 'session-credentials');
  }
  const duration = optionalInt(params, 'DurationSeconds', 900, 129600, 43200);
  const mfa = mfaParams(params);
  const mfaUsed = verifyMfaPair(state, principal, mfa);
  const session = state.issueSession(
    { kind: 'session-token', account: principal.account, userName: principal.user!.userName, mfaAuthenticated: mfaUsed, chained: false },
    duration,
  );
  return { Credentials: credentialsXml(session) };
};

/** Validates a SerialNumber/TokenCode pair if one was sent; returns whether MFA was used. */
function verifyMfaPair(state: EmulatorState, principal: Principal, mfa: { serial?: string; tokenCode?: string }): boolean {
  if (mfa.serial === undefined && mfa.tokenCode === undefined) return false;
  // Half a pair cannot be verified; AWS fails the MFA check rather than ignoring it.
  if (mfa.serial === undefined || mfa.tokenCode === undefined) throw errors.mfaInvalid('mfa-incomplete');
  // Role and federated sessions have no MFA device of their own.
  const user = principal.kind === 'user' || principal.kind === 'session-token' ? principal.user : undefined;
  state.consumeMfaCode(user, mfa.serial, mfa.tokenCode);
  return true;
}

/** The ARN a trust policy sees: the IAM user, or the role behind a role session. */
function trustIdentity(principal: Principal): string {
  return principal.kind === 'assumed-role' ? principal.session!.role!.arn : principal.user!.arn;
}

const assumeRole: ActionHandler = ({ state, principal, params }) => {
  refuseFederatedUser(principal, 'AssumeRole');
  const roleArn = checkString('RoleArn', requiredString(params, 'RoleArn'), 20, 2048);
  const sessionName = checkString('RoleSessionName', requiredString(params, 'RoleSessionName'), 2, 64, NAME_PATTERN, NAME_PATTERN_TEXT);
  const externalId = params.get('ExternalId');
  if (externalId !== null) checkString('ExternalId', externalId, 2, 1224, /^[\w+=,.@:/-]*$/, '[\\w+=,.@:\\/-]*');
  // The model allows 900..43200; the role's own maximum and the chaining cap are checked below.
  const duration = optionalInt(params, 'DurationSeconds', 900, 43200, 3600);
  const mfa = mfaParams(params);
  checkPolicy(params);

  // Trust policy evaluation: an unknown role reads exactly like an untrusted one.
  const role = state.roles.get(roleArn);
  const trusted =
    role !== undefined &&
    (role.trustedPrincipals.includes(trustIdentity(principal)) || role.trustedPrincipals.includes(`arn:aws:iam::${principal.account}:root`));
  if (!role || !trusted) throw notAuthorized(principal, 'AssumeRole', roleArn, role ? 'not-trusted' : 'no-such-role');
  // sts:ExternalId condition: missing and wrong are the same denial.
  if (role.externalId !== undefined && externalId !== role.externalId) {
    throw notAuthorized(principal, 'AssumeRole', roleArn, externalId === null ? 'external-id-missing' : 'external-id-wrong');
  }
  const mfaOffered = mfa.serial !== undefined || mfa.tokenCode !== undefined;
  // aws:MultiFactorAuthPresent: the caller's session was MFA-authenticated or a code comes now.
  if (role.requireMfa && !principal.mfaAuthenticated && !mfaOffered) {
    throw notAuthorized(principal, 'AssumeRole', roleArn, 'mfa-required');
  }

  if (duration > role.maxSessionDuration) {
    throw errors.validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 'duration-over-role-max');
  }
  // Role chaining: AssumeRole with temporary credentials (a role session or, as aws-vault documents,
  // a GetSessionToken session) is limited to one hour.
  const chained = principal.kind !== 'user';
  if (chained && duration > ROLE_CHAINING_MAX_SECONDS) {
    throw errors.validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.', 'role-chaining-cap');
  }

  const mfaUsed = verifyMfaPair(state, principal, mfa);
  const session = state.issueSession(
    {
      kind: 'assumed-role',
      account: role.account,
      role,
      roleSessionName: sessionName,
      mfaAuthenticated: mfaUsed || principal.mfaAuthenticated,
      chained,
    },
    duration,
  );
  const policy = params.get('Policy');
  return {
    Credentials: credentialsXml(session),
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${sessionName}`,
      Arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
    },
    PackedPolicySize: policy === null ? undefined : packedPolicySize(policy),
  };
};

/** GetFederationToken: long-term IAM user keys only; produces a federated-user session. */
const getFederationToken: ActionHandler = ({ state, principal, params }) => {
  refuseFederatedUser(principal, 'GetFederationToken');
  if (principal.kind !== 'user') {
    throw errors.accessDenied('Cannot call GetFederationToken with session credentials', 'session-credentials');
  }
  const name = checkString('Name', requiredString(params, 'Name'), 2, 32, NAME_PATTERN, NAME_PATTERN_TEXT);
  const policy = checkPolicy(params);
  const duration = optionalInt(params, 'DurationSeconds', 900, 129600, 43200);
  const session = state.issueSession(
    { kind: 'federated-user', account: principal.account, userName: principal.user!.userName, federatedName: name, mfaAuthenticated: false, chained: false },
    duration,
  );
  return {
    Credentials: credentialsXml(session),
    FederatedUser: {
      FederatedUserId: `${principal.account}:${name}`,
      Arn: `arn:aws:sts::${principal.account}:federated-user/${name}`,
    },
    PackedPolicySize: policy === undefined ? undefined : packedPolicySize(policy),
  };
};

/** PackedPolicySize is a percentage of the packed-policy limit; an approximation is enough here. */
function packedPolicySize(policy: string): number {
  return Math.max(1, Math.ceil((JSON.stringify(JSON.parse(policy)).length / 2048) * 100));
}

export const STS_ACTIONS: Record<string, ActionHandler> = {
  GetCallerIdentity: getCallerIdentity,
  GetSessionToken: getSessionToken,
  AssumeRole: assumeRole,
  GetFederationToken: getFederationToken,
};
