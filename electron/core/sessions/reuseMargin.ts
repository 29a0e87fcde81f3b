/**
 * The AWS CLI refreshes credentials with less than 15 minutes left on every access (botocore's
 * "mandatory refresh" window), so serving such a session would make it re-run the helper each time.
 */
export const REUSE_MARGIN_MS = 15 * 60 * 1000;
