import type { AwsCredentials } from '../types';
import { KeytrayError } from '../errors';
import { awsClientOptions } from '../net/awsClientOptions';
import { NetworkFailure } from '../net/networkFailure';
import { isRejectedKey, isUnavailable, readAwsFailure, rejectedKeyError, unavailableError } from './awsFailure';

/** Credentials as STS issued them. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number;
  /** The identity the credentials act as, when STS says (AssumeRole, GetFederationToken). */
  arn?: string;
}

export interface MfaParameters {
  serialNumber: string;
  tokenCode: string;
}

export interface AssumeRoleRequest {
  roleArn: string;
  roleSessionName: string;
  externalId?: string;
  durationSeconds?: number;
  mfa?: MfaParameters;
}

/** The STS calls Keytray makes. Core receives this; the SDK-backed one is below. */
export interface StsGateway {
  getSessionToken(credentials: AwsCredentials, request: { durationSeconds?: number; mfa?: MfaParameters }): Promise<IssuedCredentials>;
  assumeRole(credentials: AwsCredentials, request: AssumeRoleRequest): Promise<IssuedCredentials>;
  getCallerIdentity(credentials: AwsCredentials): Promise<{ arn: string; account: string; userId: string }>;
  getFederationToken(
    credentials: AwsCredentials,
    request: { name: string; policy: string; durationSeconds?: number },
  ): Promise<IssuedCredentials>;
}

/**
 * STS over the AWS SDK v3, under the network policy of electron/core/net (timeouts, bounded retries,
 * proxies); a call that gets no answer throws a NetworkFailure. The SDK is required lazily so a
 * cache hit never loads it.
 */
export function createSdkStsGateway(region: string, env: NodeJS.ProcessEnv = process.env): StsGateway {
  const sdk = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  const plain = awsClientOptions(env, { service: 'STS', region });
  // A call carrying an MFA code is not resent once STS may have seen it: AWS accepts a code once.
  const withCode = awsClientOptions(env, { service: 'STS', region, oneShot: true });
  const send = <T>(credentials: AwsCredentials, mfa: MfaParameters | undefined, run: (client: import('@aws-sdk/client-sts').STSClient) => Promise<T>): Promise<T> => {
    const net = mfa ? withCode : plain;
    const client = new sdk.STSClient({
      ...net.clientOptions,
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
      },
    });
    return net.call(() => run(client));
  };
  const issued = (c: import('@aws-sdk/client-sts').Credentials | undefined, arn?: string): IssuedCredentials => {
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new KeytrayError('sts-invalid', 'STS answered without complete credentials');
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration.getTime(),
      arn,
    };
  };

  return {
    async getSessionToken(credentials, request) {
      const out = await send(
        credentials,
        request.mfa,
        (sts) =>
          sts.send(
            new sdk.GetSessionTokenCommand({
              DurationSeconds: request.durationSeconds,
              SerialNumber: request.mfa?.serialNumber,
              TokenCode: request.mfa?.tokenCode,
            }),
          ),
      );
      return issued(out.Credentials);
    },
    async assumeRole(credentials, request) {
      const out = await send(
        credentials,
        request.mfa,
        (sts) =>
          sts.send(
            new sdk.AssumeRoleCommand({
              RoleArn: request.roleArn,
              RoleSessionName: request.roleSessionName,
              ExternalId: request.externalId,
              DurationSeconds: request.durationSeconds,
              SerialNumber: request.mfa?.serialNumber,
              TokenCode: request.mfa?.tokenCode,
            }),
          ),
      );
      return issued(out.Credentials, out.AssumedRoleUser?.Arn);
    },
    async getCallerIdentity(credentials) {
      const out = await send(credentials, undefined, (sts) => sts.send(new sdk.GetCallerIdentityCommand({})));
      return { arn: out.Arn ?? '', account: out.Account ?? '', userId: out.UserId ?? '' };
    },
    async getFederationToken(credentials, request) {
      const out = await send(
        credentials,
        undefined,
        (sts) => sts.send(new sdk.GetFederationTokenCommand({ Name: request.name, Policy: request.policy, DurationSeconds: request.durationSeconds })),
      );
      return issued(out.Credentials, out.FederatedUser?.Arn);
    },
  };
}

export interface StsFailureContext {
  profile: string;
  action: 'GetSessionToken' | 'AssumeRole' | 'GetCallerIdentity' | 'GetFederationToken' | string;
  roleArn?: string;
  accessKeyId?: string;
  usedMfa?: boolean;
}

/**
 * Turns an SDK/STS error into the one line a user reads. AWS's own message is kept (it names ARNs,
 * never secrets) and followed by what to do about it.
 */
export function describeStsFailure(err: unknown, ctx: StsFailureContext): KeytrayError {
  if (err instanceof KeytrayError) return err;
  const target = ctx.roleArn ? `${ctx.action} on ${ctx.roleArn}` : ctx.action;
  if (err instanceof NetworkFailure) return err.toKeytrayError({ profile: ctx.profile, action: target });
  const f = readAwsFailure(err);
  const { code, said: awsMessage } = f;

  if (code === 'AccessDenied' && /MultiFactorAuthentication|MFA/i.test(awsMessage) && ctx.usedMfa) {
    return new KeytrayError('mfa-invalid', `STS rejected the MFA code for ${target}: ${awsMessage}`, {
      profile: ctx.profile,
      hint: 'Check that mfa_serial names the device you read the code from, wait for the next code and try again.',
      cause: err,
    });
  }
  if (isRejectedKey(f)) {
    return rejectedKeyError(
      f,
      { profile: ctx.profile, target, accessKeyId: ctx.accessKeyId, hint: `Store a current key with \`keytray add ${ctx.profile}\`, or check the system clock if it is far off.` },
      err,
    );
  }
  if (code === 'ExpiredToken' || code === 'ExpiredTokenException') {
    return new KeytrayError('sts-denied', `The session used for ${target} has expired`, {
      profile: ctx.profile,
      hint: `Run \`keytray clear ${ctx.profile}\` and try again.`,
      cause: err,
    });
  }
  if (code === 'AccessDenied') {
    return new KeytrayError('sts-denied', `AWS denied ${target}: ${awsMessage}`, {
      profile: ctx.profile,
      hint: ctx.roleArn
        ? "Check the role's trust policy (principal, MFA condition, external_id) and the profile's mfa_serial."
        : 'Check the IAM policies of the user.',
      cause: err,
    });
  }
  if (code === 'ValidationError' || code === 'InvalidParameterValue' || code === 'MalformedPolicyDocument') {
    return new KeytrayError('sts-invalid', `STS refused ${target}: ${awsMessage}`, {
      profile: ctx.profile,
      hint: 'Fix the profile settings named in the message (duration_seconds, role_session_name, role_arn).',
      cause: err,
    });
  }
  if (isUnavailable(f)) return unavailableError('STS', f, { profile: ctx.profile, target }, err);
  return new KeytrayError('sts-invalid', `STS ${target} failed: ${code}: ${awsMessage}`, { profile: ctx.profile, cause: err });
}
