/**
 * How long a session has left, worded once for the tray and the window. The renderer bundles this
 * file, so it must stay free of imports (type-only ones at most): anything it pulled in would land
 * in the renderer's bundle and its DOM-only type check.
 */

/**
 * "42 min left", "7 h 5 min left", "expired". `noSession` is the text for a profile with no session:
 * nothing by default, as the tray leaves the phrase out; the window says "no session".
 */
export function describeTimeLeft(seconds: number | null, noSession = ''): string {
  if (seconds === null) return noSession;
  if (seconds <= 0) return 'expired';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return 'under a minute left';
  if (minutes < 60) return `${minutes} min left`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h left` : `${h} h ${m} min left`;
}

/** An IAM Identity Center session: its access token's time, or "signed out"; a refresh token renews an ended one. */
export function describeSsoTimeLeft(seconds: number | null, renews: boolean): string {
  if (seconds === null) return 'signed out';
  if (seconds <= 0) return renews ? 'renews when next used' : 'expired';
  return describeTimeLeft(seconds);
}

/** A login profile's 12-hour AWS Sign-In session: "11 h 2 min left", "ended", "not signed in". */
export function describeSignInTimeLeft(seconds: number | null): string {
  if (seconds === null) return 'not signed in';
  if (seconds <= 0) return 'ended';
  return describeTimeLeft(seconds);
}
