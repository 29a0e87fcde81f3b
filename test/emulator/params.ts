import { errors } from './errors';

/**
 * Request-parameter checks with the wording of AWS's model validation
 * ("1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: …").
 */
function constraint(field: string, value: string | null, rule: string) {
  const shown = value === null ? 'null' : `'${value}'`;
  return errors.validation(`1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${rule}`);
}

export function requiredString(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw constraint(lowerFirst(name), null, 'Member must not be null');
  return value;
}

/** Length bounds and an optional character-class pattern, checked like the service model does. */
export function checkString(name: string, value: string, min: number, max: number, pattern?: RegExp, patternText?: string): string {
  if (value.length < min) throw constraint(lowerFirst(name), value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraint(lowerFirst(name), value, `Member must have length less than or equal to ${max}`);
  if (pattern && !pattern.test(value)) throw constraint(lowerFirst(name), value, `Member must satisfy regular expression pattern: ${patternText}`);
  return value;
}

export function optionalInt(params: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw)) throw constraint(lowerFirst(name), raw, 'Member must be an integer');
  const value = Number(raw);
  if (value < min) throw constraint(lowerFirst(name), raw, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraint(lowerFirst(name), raw, `Member must have value less than or equal to ${max}`);
  return value;
}

/** The MFA pair: SerialNumber 9-256 chars, TokenCode exactly 6 digits (AWS's model). */
export function mfaParams(params: URLSearchParams): { serial: string; tokenCode: string } | { serial?: string; tokenCode?: string } {
  const serial = params.get('SerialNumber') ?? undefined;
  const tokenCode = params.get('TokenCode') ?? undefined;
  if (serial !== undefined) checkString('SerialNumber', serial, 9, 256, /^[\w+=/:,.@-]*$/, '[\\w+=/:,.@-]*');
  if (tokenCode !== undefined) checkString('TokenCode', tokenCode, 6, 6, /^\d*$/, '[\\d]*');
  return { serial, tokenCode };
}

/** Session policies must be JSON documents; IAM reports anything else as MalformedPolicyDocument. */
export function checkPolicy(params: URLSearchParams): string | undefined {
  const policy = params.get('Policy');
  if (policy === null) return undefined;
  checkString('Policy', policy, 1, 2048);
  try {
    const doc = JSON.parse(policy);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not an object');
  } catch {
    throw errors.malformedPolicy();
  }
  return policy;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
