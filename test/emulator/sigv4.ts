import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from './errors';

/**
 * AWS Signature Version 4, verified the way AWS does it: rebuild the canonical request from what
 * arrived on the wire, derive the signing key from the secret that was issued for the access key
 * ID, and compare signatures in constant time.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *
 * This module is pure (no emulator state), so it also provides `signRequest`, which tests use to
 * build requests that no SDK would produce (skewed clocks, GET query form, presigned URLs).
 */
export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS rejects a request whose signing time is more than 15 minutes from its own clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** SigV4 presigned URLs may be valid for up to 7 days. */
const MAX_PRESIGN_EXPIRES = 604800;

export interface WireRequest {
  method: string;
  /** The path exactly as received, still percent-encoded, without the query. */
  path: string;
  /** The raw query string without '?', still percent-encoded. */
  query: string;
  /** Lower-cased header names; repeated headers keep every value in order. */
  headers: Map<string, string[]>;
  body: Buffer;
}

export interface ParsedAuth {
  accessKeyId: string;
  /** YYYYMMDD from the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** The signing time, ISO 8601 basic format (20260101T120000Z). */
  amzDate: string;
  sessionToken?: string;
  presigned: boolean;
  /** X-Amz-Expires of a presigned URL, in seconds. */
  expiresSeconds?: number;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper-case hex). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function firstHeader(req: WireRequest, name: string): string | undefined {
  return req.headers.get(name)?.[0];
}

/** Decodes one query component as a form decoder would ('+' is a space); malformed escapes stay raw. */
function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function parseQuery(raw: string): Array<[string, string]> {
  if (!raw) return [];
  return raw
    .split('&')
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [decodeComponent(part), ''] : [decodeComponent(part.slice(0, eq)), decodeComponent(part.slice(eq + 1))];
    });
}

/**
 * Reads the signature parameters from the Authorization header, or from the X-Amz-* query
 * parameters of a presigned URL. Malformed input gives the errors AWS gives; a request with no
 * signature at all gives MissingAuthenticationToken.
 */
export function parseAuth(req: WireRequest): ParsedAuth {
  const authorization = firstHeader(req, 'authorization');
  if (authorization !== undefined) return parseAuthorizationHeader(req, authorization);
  const query = new Map(parseQuery(req.query));
  if (query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature')) return parsePresigned(query);
  throw errors.missingAuthenticationToken();
}

function parseAuthorizationHeader(req: WireRequest, header: string): ParsedAuth {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw errors.incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'. Only ${ALGORITHM} is accepted.`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !fields.get(k));
  if (missing.length > 0) {
    throw errors.incompleteSignature(
      missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' ') + ` Authorization=${header.split(' ')[0]}`,
    );
  }
  const amzDate = firstHeader(req, 'x-amz-date') ?? dateHeaderToAmzDate(firstHeader(req, 'date'));
  if (!amzDate) {
    throw errors.incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  return {
    ...parseCredential(fields.get('Credential')!),
    signedHeaders: fields.get('SignedHeaders')!.split(';'),
    signature: fields.get('Signature')!,
    amzDate,
    sessionToken: firstHeader(req, 'x-amz-security-token'),
    presigned: false,
  };
}

function parsePresigned(query: Map<string, string>): ParsedAuth {
  const required = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
  const missing = required.filter((k) => !query.get(k));
  if (missing.length > 0) {
    throw errors.incompleteSignature(missing.map((k) => `AWS query-string parameters must include '${k}'.`).join(' '));
  }
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) {
    throw errors.incompleteSignature(`Unsupported AWS 'algorithm': '${query.get('X-Amz-Algorithm')}'.`);
  }
  const expires = query.has('X-Amz-Expires') ? Number(query.get('X-Amz-Expires')) : MAX_PRESIGN_EXPIRES;
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_EXPIRES) {
    throw errors.incompleteSignature(`X-Amz-Expires must be an integer between 1 and ${MAX_PRESIGN_EXPIRES}.`);
  }
  return {
    ...parseCredential(query.get('X-Amz-Credential')!),
    signedHeaders: query.get('X-Amz-SignedHeaders')!.split(';'),
    signature: query.get('X-Amz-Signature')!,
    amzDate: query.get('X-Amz-Date')!,
    sessionToken: query.get('X-Amz-Security-Token'),
    presigned: true,
    expiresSeconds: expires,
  };
}

function parseCredential(credential: string): Pick<ParsedAuth, 'accessKeyId' | 'scopeDate' | 'region' | 'service'> {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || parts.some((p) => p.length === 0)) {
    throw errors.incompleteSignature(
      `Credential should be scoped to a valid region, service and terminated by 'aws4_request'. Credential=${parts[0] ?? ''}/…`,
    );
  }
  if (!/^\d{8}$/.test(parts[1])) throw errors.incompleteSignature(`Invalid credential date '${parts[1]}'. Date should be in YYYYMMDD format.`);
  return { accessKeyId: parts[0], scopeDate: parts[1], region: parts[2], service: parts[3] };
}

/** SigV4 permits the RFC 1123 Date header instead of X-Amz-Date; convert it to basic ISO 8601. */
function dateHeaderToAmzDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : toAmzDate(ms);
}

export function toAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function amzDateToMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/**
 * The signing time must be within 15 minutes of the service's real clock (not the emulator's
 * credential clock: SDKs sign with wall time and correct their own skew from our Date header).
 */
export function checkRequestTime(auth: ParsedAuth, realNowMs: number): void {
  const signedAt = amzDateToMs(auth.amzDate);
  if (Number.isNaN(signedAt)) {
    throw errors.incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${auth.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  if (auth.scopeDate !== auth.amzDate.slice(0, 8)) {
    throw errors.signatureDoesNotMatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`,
      'scope-date',
    );
  }
  if (auth.presigned) {
    if (signedAt - realNowMs > MAX_SKEW_MS) {
      throw errors.signatureDoesNotMatch(`Signature not yet current: ${auth.amzDate} is still later than ${toAmzDate(realNowMs + MAX_SKEW_MS)}`, 'clock-skew');
    }
    if (realNowMs > signedAt + auth.expiresSeconds! * 1000) {
      throw errors.signatureDoesNotMatch(`Signature expired: ${toAmzDate(signedAt + auth.expiresSeconds! * 1000)} is now earlier than ${toAmzDate(realNowMs)}`, 'presign-expired');
    }
    return;
  }
  if (realNowMs - signedAt > MAX_SKEW_MS) {
    throw errors.signatureDoesNotMatch(
      `Signature expired: ${auth.amzDate} is now earlier than ${toAmzDate(realNowMs - MAX_SKEW_MS)} (${toAmzDate(realNowMs)} - 15 min.)`,
      'clock-skew',
    );
  }
  if (signedAt - realNowMs > MAX_SKEW_MS) {
    throw errors.signatureDoesNotMatch(
      `Signature not yet current: ${auth.amzDate} is still later than ${toAmzDate(realNowMs + MAX_SKEW_MS)} (${toAmzDate(realNowMs)} + 15 min.)`,
      'clock-skew',
    );
  }
}

/**
 * Canonical URI for every service but S3: dot segments removed, then each segment URI-encoded
 * once more on top of its wire encoding (so '%' becomes '%25'), as botocore and SDK v3 do.
 */
function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  let path = segments.map(uriEncode).join('/');
  if (!path.startsWith('/')) path = '/' + path;
  return path;
}

function canonicalQuery(rawQuery: string, presigned: boolean): string {
  return parseQuery(rawQuery)
    .filter(([k]) => !(presigned && k === 'X-Amz-Signature'))
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Header values are trimmed, inner runs of spaces collapse to one, repeats join with ','. */
function canonicalHeaderValue(values: string[] | undefined): string {
  return (values ?? []).map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

export function canonicalRequest(req: WireRequest, auth: ParsedAuth): string {
  const headers = auth.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req.headers.get(name))}\n`).join('');
  // Services other than S3 hash the body; a client may also state the hash in x-amz-content-sha256.
  const payloadHash = firstHeader(req, 'x-amz-content-sha256') ?? sha256Hex(req.body);
  return [req.method, canonicalUri(req.path), canonicalQuery(req.query, auth.presigned), headers, auth.signedHeaders.join(';'), payloadHash].join('\n');
}

export function stringToSign(canonical: string, amzDate: string, scope: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
}

export function computeSignature(req: WireRequest, auth: ParsedAuth, secret: string): string {
  const scope = `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
  const sts = stringToSign(canonicalRequest(req, auth), auth.amzDate, scope);
  return createHmac('sha256', signingKey(secret, auth.scopeDate, auth.region, auth.service)).update(sts, 'utf8').digest('hex');
}

/** Throws SignatureDoesNotMatch unless the request was signed with `secret`. */
export function verifySignature(req: WireRequest, auth: ParsedAuth, secret: string): void {
  // SigV4 requires the Host header to be signed; without it a signature could be replayed anywhere.
  if (!auth.signedHeaders.includes('host')) {
    throw errors.incompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const expected = Buffer.from(computeSignature(req, auth, secret), 'utf8');
  const given = Buffer.from(auth.signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw errors.signatureDoesNotMatch(undefined, 'bad-signature');
  }
}

/** Rejects a scope for a service this endpoint does not serve, with the message AWS uses. */
export function checkService(auth: ParsedAuth, served: readonly string[]): void {
  if (!served.includes(auth.service)) {
    throw errors.signatureDoesNotMatch(
      `Credential should be scoped to correct service: '${served.join("' or '")}'. `,
      'wrong-service',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Signing, for tests that need requests no SDK would send.

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignOptions {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  headers?: Record<string, string>;
  credentials: SigningCredentials;
  region?: string;
  service: 'sts' | 'iam' | string;
  /** Signing time; defaults to now. Tests skew it to provoke "Signature expired". */
  atMs?: number;
  /** Presign into the query string instead of an Authorization header. */
  presignExpiresSeconds?: number;
}

/** Returns the URL and headers to send. Pure: does not touch the network. */
export function signRequest(opts: SignOptions): { url: string; headers: Record<string, string> } {
  const url = new URL(opts.url);
  const region = opts.region ?? 'us-east-1';
  const amzDate = toAmzDate(opts.atMs ?? Date.now());
  const scopeDate = amzDate.slice(0, 8);
  const scope = `${scopeDate}/${region}/${opts.service}/aws4_request`;
  const headers: Record<string, string> = { host: url.host, ...lowerKeys(opts.headers ?? {}) };
  const body = Buffer.from(opts.body ?? '', 'utf8');
  const presigned = opts.presignExpiresSeconds !== undefined;
  if (presigned) {
    url.searchParams.set('X-Amz-Algorithm', ALGORITHM);
    url.searchParams.set('X-Amz-Credential', `${opts.credentials.accessKeyId}/${scope}`);
    url.searchParams.set('X-Amz-Date', amzDate);
    url.searchParams.set('X-Amz-Expires', String(opts.presignExpiresSeconds));
    url.searchParams.set('X-Amz-SignedHeaders', 'host');
    if (opts.credentials.sessionToken) url.searchParams.set('X-Amz-Security-Token', opts.credentials.sessionToken);
  } else {
    headers['x-amz-date'] = amzDate;
    if (opts.credentials.sessionToken) headers['x-amz-security-token'] = opts.credentials.sessionToken;
  }
  const signedHeaders = presigned ? ['host'] : Object.keys(headers).sort();
  const wire: WireRequest = {
    method: opts.method,
    path: url.pathname,
    query: url.search.replace(/^\?/, ''),
    headers: new Map(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body,
  };
  const auth: ParsedAuth = {
    accessKeyId: opts.credentials.accessKeyId,
    scopeDate,
    region,
    service: opts.service,
    signedHeaders,
    signature: '',
    amzDate,
    presigned,
    expiresSeconds: opts.presignExpiresSeconds,
  };
  const signature = computeSignature(wire, auth, opts.credentials.secretAccessKey);
  if (presigned) {
    url.searchParams.set('X-Amz-Signature', signature);
    delete headers.host;
    return { url: url.toString(), headers };
  }
  headers.authorization = `${ALGORITHM} Credential=${opts.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  delete headers.host; // the HTTP client sets it from the URL
  return { url: url.toString(), headers };
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

