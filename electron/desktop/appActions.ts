import { KeytrayError } from '../core/errors';
import { formatEnvExport, type EnvFormat } from '../core/export/envExport';
import { clearSessionsBuiltOn } from '../core/keys/longTermKeys';
import type { RequestContext } from '../core/sessions/sessionEngine';
import { writeActiveProfile } from '../core/settings';
import type { AppServices } from './appServices';

/**
 * What the window and the tray menu can both do to profiles and sessions, written once so the two
 * cannot drift: the same checks, the same activity entries, the same state-change notice. Each
 * caller brings only how it gets an MFA code and who it is, in the RequestContext.
 */
export interface AppActions {
  makeActive(profile: string | null): { active: string | null };
  startSession(profile: string, ctx: RequestContext): Promise<{ secondsLeft: number | null }>;
  endSession(profile: string): { cleared: string[] };
  copyEnv(profile: string, format: EnvFormat, ctx: RequestContext): Promise<{ clearsAfterSeconds: number }>;
  openConsole(profile: string, ctx: RequestContext): Promise<void>;
  /**
   * Ends every session: the window's and the tray's Lock, and what sleep and screen lock do when the
   * settings say so. Open MFA prompts are cancelled first, so a code typed after the lock cannot
   * start a session again; `promptsCancelledBecause` ends the "MFA cancelled: ..." line their
   * requesters read.
   */
  lock(why: string, promptsCancelledBecause?: string): Promise<{ cleared: string[] }>;
}

export function createAppActions(app: AppServices): AppActions {
  const { vault, activity } = app;
  const changed = () => app.onStateChanged?.();

  return {
    makeActive(profile) {
      if (profile !== null) {
        const config = vault.loadConfig();
        if (!config.has(profile)) throw new KeytrayError('unknown-profile', `There is no profile "${profile}" in ${config.file}`);
      }
      writeActiveProfile(vault.paths.dataDir, profile);
      activity.record({ kind: 'config', profile: profile ?? undefined, summary: profile ? `Made "${profile}" the active profile.` : 'Cleared the active profile.' });
      changed();
      return { active: profile };
    },

    async startSession(profile, ctx) {
      const served = await vault.engine.getCredentials({ profile }, ctx);
      const expiration = served.credentials.expiration;
      activity.record({
        kind: 'session-started',
        profile,
        requester: ctx.requester,
        summary: served.source === 'cache' ? `Session for "${profile}" was already running.` : `Started a session for "${profile}".`,
      });
      changed();
      return { secondsLeft: expiration === undefined ? null : Math.floor((expiration - vault.clock.now()) / 1000) };
    },

    endSession(profile) {
      const cleared = clearSessionsBuiltOn(vault, profile);
      activity.record({ kind: 'session-ended', profile, summary: cleared.length ? `Ended sessions: ${cleared.join(', ')}.` : `"${profile}" had no session.` });
      // The agent's in-memory cache would otherwise go on serving what was just cleared.
      app.onLocked?.();
      changed();
      return { cleared };
    },

    async copyEnv(profile, format, ctx) {
      const served = await vault.engine.getCredentials({ profile }, ctx);
      // The export is built and written here in main; the renderer only learns that it happened.
      await app.clipboard.write(formatEnvExport(served.credentials, served.region, format), (err) => app.onBackgroundFailure?.(`could not clear the clipboard: ${err instanceof Error ? err.message : String(err)}`));
      activity.record({ kind: 'env-copied', profile, requester: ctx.requester, summary: `Copied the ${format} export of "${profile}" to the clipboard.` });
      changed();
      return { clearsAfterSeconds: Math.round(app.clipboard.clearAfterMs / 1000) };
    },

    async openConsole(profile, ctx) {
      const open = app.openConsole;
      if (!open) throw new KeytrayError('usage', 'Opening the AWS console is not available in this window', { profile, hint: `Run \`keytray console ${profile}\`.` });
      await open(profile, ctx);
      activity.record({ kind: 'console', profile, requester: ctx.requester, summary: `Opened the AWS console as "${profile}".` });
      changed();
    },

    async lock(why, promptsCancelledBecause = 'Keytray was locked') {
      app.prompts?.cancelAll(promptsCancelledBecause);
      const cleared = vault.store.clearSessions();
      app.onLocked?.();
      activity.record({ kind: 'locked', summary: `${why}: ended ${cleared.length} session(s).` });
      changed();
      // Awaited: Lock is done when the clipboard no longer holds an export, not before.
      await app.clipboard.flush();
      return { cleared };
    },
  };
}
