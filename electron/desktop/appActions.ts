import { KeytrayError } from '../core/errors';
import { formatEnvExport, type EnvFormat } from '../core/export/envExport';
import { checkStoredKey, type StoredKeyCheck } from '../core/keys/keyCheck';
import { clearSessionsBuiltOn } from '../core/keys/longTermKeys';
import { removeStoredProfile } from '../core/keys/removeStoredProfile';
import { createSdkIamAccessKeys } from '../core/rotate/iamAccessKeys';
import { rotateAccessKey, type RotationResult } from '../core/rotate/keyRotation';
import { createSdkStsGateway } from '../core/sts/stsGateway';
import { asKeytrayError } from '../core/errors';
import type { RequestContext } from '../core/sessions/sessionEngine';
import { writeActiveProfile } from '../core/settings';
import type { AppServices } from './appServices';
import { ProfileUsageStore } from './profileUsage';

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
  /** The tray's one click: make the profile active and start its session if it has no usable one. */
  activate(profile: string, ctx: RequestContext): Promise<{ active: string; secondsLeft: number | null }>;
  setPinned(profile: string, pinned: boolean): { profile: string; pinned: boolean };
  /** `keytray remove`: the stored key and every session built on it. */
  remove(profile: string): Promise<{ profile: string; removedKey: boolean; forgotSignIn: boolean; clearedSessions: string[] }>;
  checkKey(profile: string): Promise<StoredKeyCheck>;
  rotateKey(profile: string, ctx: RequestContext): Promise<RotationResult>;
}

export function createAppActions(app: AppServices): AppActions {
  const { vault, activity } = app;
  const changed = () => app.onStateChanged?.();
  const usage = app.usage ?? new ProfileUsageStore(vault.paths.dataDir);
  const markUsed = (profile: string) => usage.markUsed(profile, vault.clock.now());

  /** Runs an action that can fail at AWS; a failure is logged as one, then rethrown for the caller. */
  async function logged<T>(kind: 'session-started' | 'env-copied' | 'console' | 'config', profile: string, ctx: RequestContext | undefined, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const failure = asKeytrayError(err, profile);
      const refused = failure.code === 'mfa-cancelled';
      activity.record({ kind, outcome: refused ? 'refused' : 'failed', profile, requester: ctx?.requester, summary: `${what} for "${profile}" ${refused ? 'was cancelled' : 'failed'}: ${failure.toLine()}` });
      changed();
      throw err;
    }
  }

  const startSession: AppActions['startSession'] = async (profile, ctx) => {
    const served = await logged('session-started', profile, ctx, 'Starting a session', () => vault.engine.getCredentials({ profile }, ctx));
    const expiration = served.credentials.expiration;
    markUsed(profile);
    activity.record({
      kind: 'session-started',
      profile,
      requester: ctx.requester,
      summary: served.source === 'cache' ? `Session for "${profile}" was already running.` : `Started a session for "${profile}".`,
    });
    changed();
    return { secondsLeft: expiration === undefined ? null : Math.floor((expiration - vault.clock.now()) / 1000) };
  };

  const makeActive: AppActions['makeActive'] = (profile) => {
    if (profile !== null) {
      const config = vault.loadConfig();
      if (!config.has(profile)) throw new KeytrayError('unknown-profile', `There is no profile "${profile}" in ${config.file}`);
      markUsed(profile);
    }
    writeActiveProfile(vault.paths.dataDir, profile);
    activity.record({ kind: 'config', profile: profile ?? undefined, summary: profile ? `Made "${profile}" the active profile.` : 'Cleared the active profile.' });
    changed();
    return { active: profile };
  };

  return {
    makeActive,
    startSession,

    async activate(profile, ctx) {
      makeActive(profile);
      // The engine serves a session with more than 15 minutes left from the cache, without STS.
      const { secondsLeft } = await startSession(profile, ctx);
      return { active: profile, secondsLeft };
    },

    setPinned(profile, pinned) {
      usage.setPinned(profile, pinned);
      changed();
      return { profile, pinned };
    },

    async remove(profile) {
      const result = await removeStoredProfile(vault, profile);
      usage.forget(profile);
      app.onLocked?.();
      activity.record({
        kind: 'config',
        profile,
        summary: `Removed ${result.removedKey ? 'the stored key and ' : ''}${result.forgotSignIn ? 'the sign-in session and ' : ''}${result.clearedSessions.length} session(s) of "${profile}".`,
      });
      changed();
      return { profile, ...result };
    },

    checkKey: (profile) =>
      logged('config', profile, undefined, 'Checking the key', () =>
        checkStoredKey(vault, { stsFor: (region) => createSdkStsGateway(region, vault.env), iamFor: (partition) => createSdkIamAccessKeys(partition, vault.env) }, profile),
      ),

    async rotateKey(profile, ctx) {
      const result = await logged('config', profile, ctx, 'Rotating the key', () =>
        rotateAccessKey(
          {
            store: vault.store,
            engine: vault.engine,
            loadConfig: vault.loadConfig,
            iamFor: (partition) => createSdkIamAccessKeys(partition, vault.env),
            stsFor: (region) => createSdkStsGateway(region, vault.env),
            clearSessions: (name) => clearSessionsBuiltOn(vault, name),
            clock: vault.clock,
            env: vault.env,
          },
          profile,
          ctx,
        ),
      );
      app.onLocked?.();
      activity.record({ kind: 'config', profile, requester: ctx.requester, summary: `Rotated the access key of "${profile}": the new key works and the old one is deleted at AWS.` });
      changed();
      return result;
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
      const served = await logged('env-copied', profile, ctx, 'Copying the env export', () => vault.engine.getCredentials({ profile }, ctx));
      // The export is built and written here in main; the renderer only learns that it happened.
      await app.clipboard.write(formatEnvExport(served.credentials, served.region, format), (err) => app.onBackgroundFailure?.(`could not clear the clipboard: ${err instanceof Error ? err.message : String(err)}`));
      activity.record({ kind: 'env-copied', profile, requester: ctx.requester, summary: `Copied the ${format} export of "${profile}" to the clipboard.` });
      changed();
      return { clearsAfterSeconds: Math.round(app.clipboard.clearAfterMs / 1000) };
    },

    async openConsole(profile, ctx) {
      const open = app.openConsole;
      if (!open) throw new KeytrayError('usage', 'Opening the AWS console is not available in this window', { profile, hint: `Run \`keytray console ${profile}\`.` });
      await logged('console', profile, ctx, 'Opening the console', () => open(profile, ctx));
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
