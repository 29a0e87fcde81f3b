/**
 * The warnings a request can carry: things the user should know that did not stop it. The engine
 * produces them here and nowhere else; the CLI shows them on a terminal only (see
 * cli/warningOutput.ts), since under the AWS CLI a helper's stderr reads as a failure.
 */

export function lastResortSession(profile: string, msLeft: number): string {
  const minutes = Math.floor(msLeft / 60_000);
  return `keytray: the session for profile "${profile}" expires in ${minutes} min and no MFA code source is available to renew it.`;
}

export function chainedRoleCapped(profile: string): string {
  return `keytray: profile "${profile}" is a chained role; AWS caps its session at 1 hour.`;
}

export function chainedConsoleCapped(profile: string): string {
  return `keytray: AWS caps the console session of chained role "${profile}" at 1 hour.`;
}

export function renewedRejectedSession(profile: string): string {
  return `keytray: AWS no longer accepted the cached session of profile "${profile}" (it expired early or was revoked), so Keytray made a new one.`;
}
