import { useEffect, useState } from 'react';
import type { ProfileRow, SsoSessionRow } from './keytrayApi';

/**
 * The session times the window counts down between pushes. Main words the list when it builds it;
 * between two lists the window only subtracts the seconds that passed, which needs no RPC.
 */

/** "42 min left", "7 h 5 min left": the same words as the tray (electron/desktop/sessionTimeLeft.ts). */
export function wordTimeLeft(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return 'under a minute left';
  if (minutes < 60) return `${minutes} min left`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h left` : `${h} h ${m} min left`;
}

/** "until 17:42": the wall-clock time a session ends, which reads faster than a duration. */
export function untilClock(endsAt: number): string {
  return `until ${new Date(endsAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })}`;
}

/**
 * Re-renders every `everyMs` so countdowns move; a local clock only, never a call to main. It
 * returns the time of the render, not of the last tick, so a view that re-renders because
 * something new arrived (a prompt, a list) counts from that moment rather than from a stale tick.
 */
export function useNow(everyMs: number): number {
  const [, setTicks] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTicks((n) => n + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return Date.now();
}

export type Status = { kind: 'ok' | 'error'; text: string } | null;

/** What a profile's session looks like now, counted down locally from the list main sent. */
export function sessionNow(p: ProfileRow, elapsedSeconds: number, now: number) {
  if (p.sessionSecondsLeft === null) return { live: false, text: 'no session', until: '', fraction: 0 };
  const left = p.sessionSecondsLeft - elapsedSeconds;
  if (left <= 0) return { live: false, text: 'expired', until: '', fraction: 0 };
  const total = p.sessionSecondsTotal ?? left;
  return { live: true, text: wordTimeLeft(left), until: untilClock(now + left * 1000), fraction: Math.min(1, left / total) };
}

/**
 * An IAM Identity Center session now: its access token's time left, counted down from the list.
 * A session that keeps a refresh token is still signed in after its access token runs out: the
 * next request renews it without a browser, so it does not read as "expired".
 */
export function ssoSessionNow(s: SsoSessionRow, elapsedSeconds: number): { signedIn: boolean; text: string } {
  if (s.secondsLeft === null) return { signedIn: false, text: 'signed out' };
  const left = s.secondsLeft - elapsedSeconds;
  if (left > 0) return { signedIn: true, text: s.renews ? `${wordTimeLeft(left)}, renews by itself` : wordTimeLeft(left) };
  return s.renews ? { signedIn: true, text: 'renews when next used' } : { signedIn: false, text: 'expired' };
}

/**
 * A login profile's 12-hour AWS Sign-In session now. Main sends its seconds when it knows them; an
 * imported session has no known end, so main's words are shown as they came.
 */
export function signInSessionNow(p: ProfileRow, elapsedSeconds: number): string {
  if (typeof p.signInSecondsLeft !== 'number') return p.signInTimeLeftText ?? 'not signed in';
  const left = p.signInSecondsLeft - elapsedSeconds;
  return left > 0 ? wordTimeLeft(left) : 'ended; sign in again';
}

/** "14:05:09": when a wait gives up, to the second, since these waits are minutes long. */
export function clockTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** "4:59": minutes and seconds, for the short waits of the prompt window. */
export function minutesSeconds(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
