import { KeytrayError } from '../errors';
import { formatShellAssignments, type EnvFormat } from '../export/envExport';

/** Where a process finds a credentials endpoint: its URL and bearer token. */
export interface CredentialsEndpoint {
  url: string;
  token: string;
}

/**
 * Variables that would win over the endpoint, so a process pointed at it must not inherit them:
 * - static keys: every SDK reads the environment before the container provider;
 * - AWS_PROFILE / AWS_DEFAULT_PROFILE: the shared-config provider also comes first;
 * - AWS_SECURITY_TOKEN: botocore reads it before AWS_SESSION_TOKEN;
 * - the relative URI and the token file: the SDKs prefer them over FULL_URI and a plain token.
 */
export const ENDPOINT_ENV_VARS_TO_UNSET = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
] as const;

/** The variables that point a process at the endpoint, plus the region when one is known. */
export function endpointEnvironment(endpoint: CredentialsEndpoint, region?: string): Record<string, string> {
  const vars: Record<string, string> = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: endpoint.token,
  };
  if (region) {
    vars.AWS_REGION = region;
    vars.AWS_DEFAULT_REGION = region;
  }
  return vars;
}

/** A copy of `base` with the endpoint variables set and everything that would override them removed. */
export function environmentForEndpoint(base: NodeJS.ProcessEnv, endpoint: CredentialsEndpoint, region?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of ENDPOINT_ENV_VARS_TO_UNSET) delete env[name];
  return Object.assign(env, endpointEnvironment(endpoint, region));
}

/** Shell code for `keytray env --server`, in the same formats as the plain export. */
export function formatEndpointExport(endpoint: CredentialsEndpoint, region: string | undefined, format: EnvFormat): string {
  const vars = Object.entries(endpointEnvironment(endpoint, region));
  // URLs, base64url tokens and region names need no quoting in any shell; anything else is refused
  // rather than quoted five different ways.
  for (const [name, value] of vars) {
    if (!/^[\w:/.-]+$/.test(value)) throw new KeytrayError('agent', `The endpoint's ${name} has unexpected characters`);
  }
  if (format === 'json') return `${JSON.stringify(Object.fromEntries(vars))}\n`;
  return formatShellAssignments(vars, ENDPOINT_ENV_VARS_TO_UNSET, format);
}
