import type { AwsCredentials } from '../types';

/** The credential_process document (SPEC §4). Kept dependency-free: the fast path imports it. */
export interface CredentialProcessDocument {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
  Expiration?: string;
}

export function credentialDocument(c: AwsCredentials): CredentialProcessDocument {
  const doc: CredentialProcessDocument = { Version: 1, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey };
  // A long-term key (--no-session) has neither: the SDKs then treat it as non-expiring.
  if (c.sessionToken) doc.SessionToken = c.sessionToken;
  if (c.expiration !== undefined) doc.Expiration = isoSeconds(c.expiration);
  return doc;
}

/** UTC ISO 8601 with a Z and no milliseconds, the form STS itself uses. */
export function isoSeconds(epochMs: number): string {
  // toISOString always has milliseconds ("…:00.000Z"); cut them rather than run a regex per call.
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}
