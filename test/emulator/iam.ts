import { errors } from './errors';
import { checkString, requiredString } from './params';
import type { ActionHandler } from './sts';
import { AccessKeyRec, EmulatorState, Principal, UserRec } from './state';
import { isoSeconds, XmlFields } from './xml';

/**
 * The IAM actions Keytray needs (API version 2010-05-08): the caller's user, its access keys for
 * rotation, and its MFA devices.
 */

/**
 * Who may call IAM here. Long-term user keys may. GetSessionToken credentials may only when the
 * session was MFA-authenticated ("you cannot call any IAM API operations unless MFA authentication
 * information is included in the request"). Role and federated sessions may not touch users in
 * this emulator.
 */
function iamUser(principal: Principal, action: string, resource: string): UserRec {
  if (principal.kind === 'user') return principal.user!;
  if (principal.kind === 'session-token') {
    if (principal.mfaAuthenticated) return principal.user!;
    throw errors.accessDenied(
      `User: ${principal.arn} is not authorized to perform: iam:${action} on resource: ${resource}: ` +
        'IAM cannot be called with GetSessionToken credentials unless MFA authentication information was included in the GetSessionToken request',
      'iam-session-without-mfa',
    );
  }
  throw errors.accessDenied(`User: ${principal.arn} is not authorized to perform: iam:${action} on resource: ${resource}`, 'iam-not-a-user');
}

/** The target user: the caller, or a named user of the caller's account. */
function targetUser(state: EmulatorState, principal: Principal, params: URLSearchParams, action: string): UserRec {
  const named = params.get('UserName');
  if (named !== null) checkString('UserName', named, 1, 128, /^[\w+=,.@-]+$/, '[\\w+=,.@-]+');
  const resource = named === null ? principal.arn : `arn:aws:iam::${principal.account}:user/${named}`;
  const caller = iamUser(principal, action, resource);
  if (named === null) return caller;
  const user = state.users.get(named);
  if (!user || user.account !== caller.account) throw errors.noSuchEntity(`The user with name ${named} cannot be found.`);
  return user;
}

function keyMetadata(key: AccessKeyRec): XmlFields {
  return { UserName: key.userName, AccessKeyId: key.accessKeyId, Status: key.status, CreateDate: isoSeconds(key.createdAt) };
}

const getUser: ActionHandler = ({ state, principal, params }) => {
  const user = targetUser(state, principal, params, 'GetUser');
  return { User: { Path: '/', UserName: user.userName, UserId: user.userId, Arn: user.arn, CreateDate: isoSeconds(user.createdAt) } };
};

const listAccessKeys: ActionHandler = ({ state, principal, params }) => {
  const user = targetUser(state, principal, params, 'ListAccessKeys');
  return { AccessKeyMetadata: state.keysOf(user.userName).map(keyMetadata), IsTruncated: false };
};

const createAccessKey: ActionHandler = ({ state, principal, params }) => {
  const user = targetUser(state, principal, params, 'CreateAccessKey');
  const key = state.createAccessKey(user.userName);
  return { AccessKey: { ...keyMetadata(key), SecretAccessKey: key.secretAccessKey } };
};

const deleteAccessKey: ActionHandler = ({ state, principal, params }) => {
  const user = targetUser(state, principal, params, 'DeleteAccessKey');
  const key = state.requireAccessKey(user.userName, requiredString(params, 'AccessKeyId'));
  // The key stops working at once. Sessions already issued from it stay valid until they expire,
  // as in AWS, where revoking them needs a policy on aws:TokenIssueTime.
  state.accessKeys.delete(key.accessKeyId);
  return undefined;
};

const updateAccessKey: ActionHandler = ({ state, principal, params }) => {
  const user = targetUser(state, principal, params, 'UpdateAccessKey');
  const key = state.requireAccessKey(user.userName, requiredString(params, 'AccessKeyId'));
  const status = requiredString(params, 'Status');
  if (status !== 'Active' && status !== 'Inactive') {
    throw errors.validation(`1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
  }
  key.status = status;
  return undefined;
};

const listMfaDevices: ActionHandler = ({ state, principal, params }) => {
  const user = targetUser(state, principal, params, 'ListMFADevices');
  const mfa = user.mfa;
  return {
    MFADevices: mfa ? [{ UserName: user.userName, SerialNumber: mfa.serial, EnableDate: isoSeconds(mfa.enabledAt) }] : [],
    IsTruncated: false,
  };
};

export const IAM_ACTIONS: Record<string, ActionHandler> = {
  GetUser: getUser,
  ListAccessKeys: listAccessKeys,
  CreateAccessKey: createAccessKey,
  DeleteAccessKey: deleteAccessKey,
  UpdateAccessKey: updateAccessKey,
  ListMFADevices: listMfaDevices,
};
