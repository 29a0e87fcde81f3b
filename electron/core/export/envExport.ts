import { KeytrayError } from '../errors';
import type { AwsCredentials } from '../types';
import { credentialProcessOutput, isoSeconds } from './credentialDocument';
import { ENV_FORMATS, type EnvFormat } from './envFormats';

export { defaultEnvFormat, ENV_FORMATS, type EnvFormat } from './envFormats';

/**
 * Variables a shell must drop. botocore reads AWS_SECURITY_TOKEN before AWS_SESSION_TOKEN, and a
 * lingering AWS_PROFILE / AWS_DEFAULT_PROFILE would make tools pick a profile over the exported keys.
 */
export const ENV_VARS_TO_UNSET = ['AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE'] as const;

/** The variables that carry a session into a process environment (SPEC §4). */
export function sessionEnvironment(c: AwsCredentials, region?: string): Record<string, string> {
  const vars: Record<string, string> = {
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
  };
  if (c.sessionToken) vars.AWS_SESSION_TOKEN = c.sessionToken;
  if (c.expiration !== undefined) vars.AWS_CREDENTIAL_EXPIRATION = isoSeconds(c.expiration);
  if (region) {
    vars.AWS_REGION = region;
    vars.AWS_DEFAULT_REGION = region;
  }
  return vars;
}

/** Shell code that exports the session and unsets what would override it. */
export function formatEnvExport(c: AwsCredentials, region: string | undefined, format: EnvFormat): string {
  if (format === 'json') return credentialProcessOutput(c);
  return formatShellAssignments(Object.entries(sessionEnvironment(c, region)), ENV_VARS_TO_UNSET, format);
}

/**
 * Sets `vars` and unsets `unset` in a shell's own syntax, each value quoted the way that shell
 * needs. Shared by the session export and `env --server`'s endpoint export.
 */
export function formatShellAssignments(vars: Array<[string, string]>, unset: readonly string[], format: Exclude<EnvFormat, 'json'>): string {
  const lines: string[] = [];
  switch (format) {
    case 'sh':
      for (const name of unset) lines.push(`unset ${name}`);
      for (const [k, v] of vars) lines.push(`export ${k}=${shQuote(v)}`);
      break;
    case 'fish':
      for (const name of unset) lines.push(`set -e ${name}`);
      for (const [k, v] of vars) lines.push(`set -gx ${k} ${fishQuote(v)}`);
      break;
    case 'powershell':
      for (const name of unset) lines.push(`Remove-Item Env:${name} -ErrorAction SilentlyContinue`);
      for (const [k, v] of vars) lines.push(`$Env:${k} = ${psQuote(v)}`);
      break;
    case 'cmd':
      // `set K=` with nothing after the = removes the variable in cmd.exe.
      for (const name of unset) lines.push(`set ${name}=`);
      for (const [k, v] of vars) lines.push(`set ${k}=${cmdSafe(v, k)}`);
      break;
    case 'dotenv':
      for (const [k, v] of vars) lines.push(`${k}=${dotenvSafe(v, k)}`);
      break;
    default:
      throw new KeytrayError('usage', `Unknown env format "${format as string}"`, { hint: `Use one of: ${ENV_FORMATS.join(', ')}.` });
  }
  return `${lines.join('\n')}\n`;
}

export function isEnvFormat(s: string): s is EnvFormat {
  return (ENV_FORMATS as readonly string[]).includes(s);
}

/** POSIX single quotes; an embedded ' becomes '\'' . */
export function shQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** fish single quotes accept \\ and \' escapes only. */
function fishQuote(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** PowerShell single-quoted strings double an embedded '. */
function psQuote(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * cmd.exe has no quoting that survives every character; AWS credentials are base64-like, so anything
 * outside that alphabet is refused rather than exported wrongly.
 */
function cmdSafe(v: string, name: string): string {
  if (!/^[A-Za-z0-9+/=:._-]*$/.test(v)) {
    throw new KeytrayError('usage', `The value of ${name} cannot be written safely for cmd.exe`, { hint: 'Use --format powershell.' });
  }
  return v;
}

function dotenvSafe(v: string, name: string): string {
  if (/[\s"'#\\$`]/.test(v)) {
    throw new KeytrayError('usage', `The value of ${name} cannot be written safely as dotenv`, { hint: 'Use --format sh or json.' });
  }
  return v;
}
