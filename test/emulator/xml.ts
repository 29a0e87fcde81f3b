import { AwsError } from './errors';

/**
 * The awsQuery protocol's XML: `<{Action}Response xmlns=NS><{Action}Result>…</{Action}Result>
 * <ResponseMetadata><RequestId/></ResponseMetadata></{Action}Response>` on success and
 * `<ErrorResponse>` on failure. Both SDK v3 and botocore locate fields by element name, so the
 * element names and nesting must match the real services exactly.
 */
export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** A tree of fields; arrays become `<member>` lists as awsQuery serialises them. */
export type XmlValue = string | number | boolean | undefined | XmlFields | XmlValue[];
export interface XmlFields {
  [name: string]: XmlValue;
}

export function toXml(fields: XmlFields): string {
  let out = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out += `<${name}>${valueXml(value)}</${name}>`;
  }
  return out;
}

function valueXml(value: XmlValue): string {
  if (Array.isArray(value)) return value.map((v) => `<member>${valueXml(v)}</member>`).join('');
  if (typeof value === 'object' && value !== null) return toXml(value);
  return escapeXml(String(value));
}

export function successXml(ns: string, action: string, result: XmlFields | undefined, requestId: string): string {
  // Actions with no output (e.g. IAM DeleteAccessKey) carry only ResponseMetadata.
  const resultXml = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  return (
    `<${action}Response xmlns="${ns}">${resultXml}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function errorXml(ns: string, err: AwsError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${ns}"><Error><Type>${err.type}</Type><Code>${escapeXml(err.code)}</Code>` +
    `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** AWS timestamps: ISO 8601 UTC with whole seconds, e.g. 2026-01-01T12:00:00Z. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
