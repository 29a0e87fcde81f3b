import type { TrayProfile } from './trayTemplate';

/** Warn this long before a session ends: enough to finish a command or renew it. */
export const EXPIRY_WARNING_SECONDS = 10 * 60;

/**
 * Decides when to notify that a session is about to expire: once per session, when it enters its
 * last ten minutes. A renewed session (a later expiry) can be warned about again.
 */
export class ExpiryNotifier {
  /** profile -> the expiry (epoch s, to the minute) that was warned about. */
  private readonly warned = new Map<string, number>();

  constructor(
    /** `renew` names the profile a Renew button would start again: the active one only. */
    private readonly notify: (title: string, body: string, renew?: string) => void,
    private readonly warnBeforeSeconds = EXPIRY_WARNING_SECONDS,
  ) {}

  update(profiles: TrayProfile[], nowMs: number, active: string | null = null): void {
    const seen = new Set<string>();
    for (const p of profiles) {
      const left = p.sessionSecondsLeft;
      if (left === null || left <= 0) continue;
      seen.add(p.name);
      const expiry = Math.round((nowMs / 1000 + left) / 60);
      if (left > this.warnBeforeSeconds || this.warned.get(p.name) === expiry) continue;
      this.warned.set(p.name, expiry);
      const minutes = Math.max(1, Math.round(left / 60));
      if (p.name === active) this.notify(`Session for ${p.name} expires soon`, `It ends in ${minutes} min. Renew it to keep working.`, p.name);
      else this.notify(`Session for ${p.name} expires soon`, `It ends in ${minutes} min. Start it again from the Keytray menu to keep working.`);
    }
    for (const name of [...this.warned.keys()]) if (!seen.has(name)) this.warned.delete(name);
  }
}
