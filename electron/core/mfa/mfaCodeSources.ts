import { spawn } from 'node:child_process';
import { KeytrayError, oneLine } from '../errors';

/** What a code source is told: enough to show the user who is asking and for which device. */
export interface MfaCodeRequest {
  /** The profile whose MFA device is needed (the user profile at the root of a role chain, say). */
  profile: string;
  /** The profile that was asked for, when another one's code is needed for it: "admin (via alice)". */
  requestedProfile?: string;
  serial: string;
  /** The profile's `mfa_process`, if it has one. */
  mfaProcess?: string;
  /** The process that asked for credentials (pid and command line), shown by prompt windows. */
  requester?: { pid: number; command?: string };
  /**
   * Set when a person is asked again for the same request: the prompt keeps its place and its
   * deadline, and shows why the last code was refused.
   */
  conversation?: MfaConversation;
}

export interface MfaConversation {
  id: string;
  firstAskedAt: number;
  /** STS's reason for refusing the previous code, as the user reads it. */
  rejectedBecause?: string;
}

/** Returns a code, or null when this source cannot provide one so that the next source is tried. */
export type MfaCodeSource = (request: MfaCodeRequest) => Promise<string | null>;

/** Resolves a code from the sources in order (docs/architecture.md, Sessions), or fails saying how to provide one. */
export type MfaCodeProvider = (request: MfaCodeRequest) => Promise<string>;

export function mfaCodeProvider(sources: MfaCodeSource[]): MfaCodeProvider {
  return async (request) => {
    for (const source of sources) {
      const code = await source(request);
      if (code !== null) return normaliseMfaCode(code, request.profile);
    }
    throw new KeytrayError('mfa-required', `An MFA code for ${request.serial} is needed and no source could provide one`, {
      profile: request.profile,
      hint: 'Pass --mfa-code CODE, set mfa_process in the profile, start the Keytray app or `keytray agent`, or run the command from a terminal.',
    });
  };
}

/** `--mfa-code`: given once, usable once. A second request in the same run falls through to the next source. */
export function optionCodeSource(code: string | undefined): MfaCodeSource {
  let unused = code;
  return async () => {
    const c = unused;
    unused = undefined;
    return c ?? null;
  };
}

/** The profile's `mfa_process`, run through the shell like the AWS CLI runs credential_process. */
export const mfaProcessSource: MfaCodeSource = async (request) => {
  if (!request.mfaProcess) return null;
  return runMfaProcess(request.mfaProcess, request.profile);
};

const MFA_PROCESS_TIMEOUT_MS = 120_000;

export function runMfaProcess(command: string, profile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // stdin is left to the terminal so tools such as `ykman` can ask for a touch or a PIN.
    const child = spawn(command, { shell: true, stdio: ['inherit', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), MFA_PROCESS_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(mfaProcessFailed(profile, err.message));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (status !== 0) {
        const detail = signal ? `killed by ${signal}` : `exit status ${status}`;
        const said = oneLine(stderr).slice(0, 200);
        return reject(mfaProcessFailed(profile, said ? `${detail}: ${said}` : detail));
      }
      const code = stdout.trim();
      if (!/^\d{6}$/.test(code)) return reject(mfaProcessFailed(profile, 'it did not print a 6-digit code'));
      resolve(code);
    });
  });
}

function mfaProcessFailed(profile: string, detail: string): KeytrayError {
  return new KeytrayError('mfa-process-failed', `mfa_process failed (${detail})`, {
    profile,
    hint: 'Run the mfa_process command by hand to check it prints only the current 6-digit code.',
  });
}

export function normaliseMfaCode(code: string, profile: string): string {
  const c = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(c)) {
    throw new KeytrayError('mfa-invalid', 'The MFA code must be 6 digits', {
      profile,
      hint: 'Enter the current code shown by your MFA device.',
    });
  }
  return c;
}
