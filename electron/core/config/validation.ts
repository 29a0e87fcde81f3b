/**
 * Field checks shared by the CLI, the core and the desktop's inline form validation (which main runs
 * for the window through the profiles.validate channel). Each returns the message a user should
 * read, or null when the value is fine.
 */

/** The ARN partitions whose IAM and STS Keytray can reach. */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;

export const MIN_DURATION_SECONDS = 900;
/** A role's duration_seconds: AssumeRole's ceiling. */
export const MAX_DURATION_SECONDS = 43200;
/** A session as a whole (--duration, the MFA session setting): GetSessionToken's ceiling, 36 h. */
export const MAX_SESSION_SECONDS = 129600;

const PROFILE_NAME = /^[A-Za-z0-9_.@+=,-]+$/;
/** IAM names: role and virtual MFA device names share this alphabet. */
const IAM_NAME = /^[\w+=,.@-]+$/;
/** IAM path segments may use any printable ASCII except "/" (the separator). */
const IAM_PATH_SEGMENT = /^[\x21-\x2E\x30-\x7E]+$/;
/** STS SerialNumber allows 9-256 of [\w+=/:,.@-]; a hardware token's serial never needs "/" or ":". */
const HARDWARE_SERIAL = /^[\w+=,.@-]{9,256}$/;

export function validateProfileName(name: string): string | null {
  if (name === '') return 'Enter a profile name.';
  if (/\s/.test(name)) return `Profile name "${name}" cannot contain spaces.`;
  if (/[[\]]/.test(name)) return `Profile name "${name}" cannot contain [ or ].`;
  if (!PROFILE_NAME.test(name)) {
    return `Profile name "${name}" may only use letters, digits and _ . @ + = , -`;
  }
  // The name ends up as an argument of `keytray credential-process NAME` in ~/.aws/config, where a
  // leading "-" would be read as an option.
  if (name.startsWith('-')) return `Profile name "${name}" cannot start with "-".`;
  return null;
}

export function validateRoleArn(arn: string): string | null {
  const example = 'arn:aws:iam::123456789012:role/NAME';
  if (arn === '') return `Enter a role ARN, like ${example}.`;
  const m = /^arn:([^:]*):iam::([^:]*):role\/(.+)$/.exec(arn);
  if (!m) return `"${arn}" is not a role ARN; it should look like ${example}.`;
  return checkPartitionAndAccount(m[1], m[2]) ?? checkIamPathAndName(m[3], 'role', 64);
}

export function validateMfaSerial(serial: string): string | null {
  const expected = 'an MFA device ARN like arn:aws:iam::123456789012:mfa/NAME or a hardware token serial like GAHT12345678';
  if (serial === '') return `Enter ${expected}.`;
  if (!serial.startsWith('arn:')) {
    return HARDWARE_SERIAL.test(serial) ? null : `"${serial}" is not ${expected}.`;
  }
  const m = /^arn:([^:]*):iam::([^:]*):mfa\/(.+)$/.exec(serial);
  if (!m) return `"${serial}" is not ${expected}.`;
  return checkPartitionAndAccount(m[1], m[2]) ?? checkIamPathAndName(m[3], 'MFA device', 226);
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function validateRegion(region: string): string | null {
  return REGION.test(region) ? null : `"${region}" is not an AWS region, e.g. eu-west-1.`;
}

/** AssumeRole and GetSessionToken accept 900 s up to 12 h (a role's own maximum may be lower). */
export function validateDurationSeconds(value: string | number): string | null {
  const message = `duration_seconds must be a whole number of seconds from ${MIN_DURATION_SECONDS} (15 minutes) to ${MAX_DURATION_SECONDS} (12 hours)`;
  const seconds = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(seconds) || seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) {
    return `${message}, not "${value}".`;
  }
  return null;
}

function checkPartitionAndAccount(partition: string, account: string): string | null {
  if (!(PARTITIONS as readonly string[]).includes(partition)) {
    return `Unknown partition "${partition}"; use ${PARTITIONS.join(', ')}.`;
  }
  if (!/^\d{12}$/.test(account)) return `The account ID "${account}" should be 12 digits.`;
  return null;
}

function checkIamPathAndName(pathAndName: string, what: string, maxNameLength: number): string | null {
  const parts = pathAndName.split('/');
  const name = parts.pop() ?? '';
  if (name.length > maxNameLength) return `A ${what} name is at most ${maxNameLength} characters.`;
  if (!IAM_NAME.test(name)) return `"${name}" is not a valid ${what} name (letters, digits and + = , . @ _ -).`;
  if (parts.some((segment) => !IAM_PATH_SEGMENT.test(segment))) return `The ${what} path "/${parts.join('/')}/" is not valid.`;
  return null;
}

/** AssumeRole's ExternalId: 2 to 1224 characters of letters, digits and + = , . @ : / - _. */
export function validateExternalId(value: string): string | null {
  if (value.length < 2 || value.length > 1224) return `external_id must be 2 to 1224 characters long, not ${value.length}.`;
  if (!/^[\w+=,.@:/-]+$/.test(value)) return `external_id "${value}" may only use letters, digits and + = , . @ : / - _`;
  return null;
}

/** AssumeRole's RoleSessionName: 2 to 64 characters of letters, digits and + = , . @ - _. */
export function validateRoleSessionName(value: string): string | null {
  if (value.length < 2 || value.length > 64) return `role_session_name must be 2 to 64 characters long, not ${value.length}.`;
  if (!/^[\w+=,.@-]+$/.test(value)) return `role_session_name "${value}" may only use letters, digits and + = , . @ - _`;
  return null;
}
