import { KeytrayError, maskAccessKeyId } from '../errors';
import type { IamAccessKeys } from '../rotate/iamAccessKeys';
import { partitionOf, regionFor } from '../sts/endpoints';
import { describeStsFailure, type StsGateway } from '../sts/stsGateway';
import type { Vault } from '../vault';

export interface StoredKeyCheck {
  profile: string;
  accessKeyIdHint: string;
  account: string;
  arn: string;
  userName?: string;
  /** When IAM created the key; absent when the user may not list their own keys. */
  createdAt?: number;
  storedAt?: number;
}

/**
 * Asks AWS whose stored key this is (GetCallerIdentity, which needs no permission) and, when the
 * user may list their own keys, how old it is. A key AWS refuses is reported as such, with how to
 * replace it; nothing is changed.
 */
export async function checkStoredKey(
  vault: Pick<Vault, 'store' | 'loadConfig' | 'env'>,
  deps: { stsFor: (region: string) => StsGateway; iamFor: (partition: ReturnType<typeof partitionOf>) => IamAccessKeys },
  profileName: string,
): Promise<StoredKeyCheck> {
  const profile = vault.loadConfig().profile(profileName);
  if (profile.kind !== 'user') {
    throw new KeytrayError('usage', 'Only a user profile has an access key to check', { profile: profileName, hint: 'sourceProfile' in profile && profile.sourceProfile ? `Check its source, "${profile.sourceProfile}".` : undefined });
  }
  const key = vault.store.getLongTermKey(profileName);
  if (!key) throw new KeytrayError('no-stored-key', 'No access key is stored in the keychain', { profile: profileName, hint: `Store one with \`keytray add ${profileName}\`.` });
  const credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  let identity: { arn: string; account: string };
  try {
    identity = await deps.stsFor(regionFor(profile.region, vault.env)).getCallerIdentity(credentials);
  } catch (err) {
    throw describeStsFailure(err, { profile: profileName, action: 'GetCallerIdentity', accessKeyId: key.accessKeyId });
  }
  const userName = /:user\/(?:.*\/)?([^/]+)$/.exec(identity.arn)?.[1];
  let createdAt: number | undefined;
  try {
    const keys = await deps.iamFor(partitionOf(profile.mfaSerial ?? regionFor(profile.region, vault.env))).listAccessKeys(credentials);
    createdAt = keys.find((k) => k.accessKeyId === key.accessKeyId)?.createdAt;
  } catch {
    // Users whose policy demands MFA for IAM cannot list keys with the bare key; the identity stands.
  }
  return { profile: profileName, accessKeyIdHint: maskAccessKeyId(key.accessKeyId), account: identity.account, arn: identity.arn, userName, createdAt, storedAt: key.storedAt };
}
