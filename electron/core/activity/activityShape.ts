/**
 * One line of the activity log, with no imports: the IPC contract re-exports it, and the renderer's
 * project (no Node types) type-checks the contract. Never a secret: time, profile, outcome, the
 * requesting process and one plain sentence.
 */
export const ACTIVITY_OUTCOMES = ['ok', 'failed', 'refused'] as const;
export type ActivityOutcome = (typeof ACTIVITY_OUTCOMES)[number];

export const ACTIVITY_KINDS = [
  'served',
  'session-started',
  'session-ended',
  'locked',
  'mfa-prompt',
  'mfa-rejected',
  'mfa-cancelled',
  'env-copied',
  'console',
  'config',
  /** A browser sign-in (IAM Identity Center, AWS Sign-In) finished, failed or was cancelled. */
  'signed-in',
  'signed-out',
] as const;

export interface ActivityEntry {
  at: number;
  kind: (typeof ACTIVITY_KINDS)[number];
  /** Failures and refusals are marked; absent means it worked. */
  outcome?: ActivityOutcome;
  profile?: string;
  /** One plain sentence. */
  summary: string;
  requester?: { pid: number; command?: string };
}
