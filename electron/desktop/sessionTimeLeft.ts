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
