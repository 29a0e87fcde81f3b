import { awsClientOptions } from '../net/awsClientOptions';
import type { partitionOf } from '../sts/endpoints';
import type { AwsCredentials } from '../types';

/**
 * The IAM calls that key rotation makes, on the caller's own user (no UserName parameter, so no
 * iam:*User permissions on other users are ever needed). Core receives this interface; the desktop
 * app and tests can pass their own.
 */
export interface IamAccessKeys {
  createAccessKey(credentials: AwsCredentials): Promise<{ accessKeyId: string; secretAccessKey: string; userName: string }>;
  deleteAccessKey(credentials: AwsCredentials, accessKeyId: string): Promise<void>;
  listAccessKeys(credentials: AwsCredentials): Promise<Array<{ accessKeyId: string; status: string; createdAt?: number }>>;
}

/** IAM is a global service with one signing region per partition. */
export function iamRegionFor(partition: ReturnType<typeof partitionOf>): string {
  if (partition === 'aws-cn') return 'cn-north-1';
  if (partition === 'aws-us-gov') return 'us-gov-west-1';
  return 'us-east-1';
}

/**
 * IAM over the AWS SDK v3, loaded only when a rotation runs, under the network policy of
 * electron/core/net; a call that gets no answer throws a NetworkFailure.
 */
export function createSdkIamAccessKeys(partition: ReturnType<typeof partitionOf>, env: NodeJS.ProcessEnv = process.env): IamAccessKeys {
  const sdk = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
  // CreateAccessKey is not resent once IAM may have seen it: a second key could be created unseen,
  // and a user may hold only two.
  const create = awsClientOptions(env, { service: 'IAM', region: iamRegionFor(partition), oneShot: true });
  const other = awsClientOptions(env, { service: 'IAM', region: iamRegionFor(partition) });
  const send = <T>(c: AwsCredentials, net: typeof other, run: (client: import('@aws-sdk/client-iam').IAMClient) => Promise<T>): Promise<T> => {
    const client = new sdk.IAMClient({
      ...net.clientOptions,
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
    });
    return net.call(() => run(client));
  };
  return {
    async createAccessKey(credentials) {
      const out = await send(credentials, create, (iam) => iam.send(new sdk.CreateAccessKeyCommand({})));
      const key = out.AccessKey;
      if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error('IAM answered CreateAccessKey without a key');
      return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey, userName: key.UserName ?? '' };
    },
    async deleteAccessKey(credentials, accessKeyId) {
      await send(credentials, other, (iam) => iam.send(new sdk.DeleteAccessKeyCommand({ AccessKeyId: accessKeyId })));
    },
    async listAccessKeys(credentials) {
      const out = await send(credentials, other, (iam) => iam.send(new sdk.ListAccessKeysCommand({})));
      return (out.AccessKeyMetadata ?? []).map((k) => ({
        accessKeyId: k.AccessKeyId ?? '',
        status: k.Status ?? 'Active',
        createdAt: k.CreateDate?.getTime(),
      }));
    },
  };
}
