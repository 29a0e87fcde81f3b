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
  // Built from the getUTC* fields, not toISOString: a process's first toISOString costs about 0.2 ms
  // (V8 sets up its date formatting), a tenth of what the agent's cache hit may add to every `aws` call.
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}Z`;
}

/** The credential_process output: the document on one line, which is all that goes to stdout. */
export function credentialProcessOutput(c: AwsCredentials): string {
  return `${JSON.stringify(credentialDocument(c))}\n`;
}
