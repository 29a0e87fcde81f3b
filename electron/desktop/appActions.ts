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
import { canOpenBrowser, systemUrlOpener } from '../core/browserSignin';
import { loginProfile, logoutProfile } from '../core/login/loginActions';
import { assertCanServeLogin } from '../core/login/loginProfile';
import { assertValidProfileName } from '../core/config/profileSetup';
import { DEFAULT_SIGNIN_TIMEOUT_MS } from '../core/login/loginSignIn';
import { LOGIN_SESSION_MS } from '../core/login/signinProtocol';
import { ssoSession } from '../core/sso/ssoConfig';
import { learnSsoAccountNames, populateSsoSession, signInToSsoSession, signOutOfSsoSession } from '../core/sso/ssoSessionActions';
import type { SignInPresentation } from '../core/sso/ssoSignin';
import type { SsoPopulateResult } from '../ipc/contract';

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
  /**
   * IAM Identity Center: a new sign-in in the browser (or with a device code), shown in the prompt
   * window. The accounts are then listed in the background to learn their names; that listing
   * never fails the sign-in.
   */
  ssoSignIn(session: string, options?: { deviceCode?: boolean }): Promise<{ session: string; secondsLeft: number; renews: boolean }>;
  ssoSignOut(session: string): Promise<{ session: string; hadToken: boolean; clearedProfiles: string[] }>;
  ssoPopulate(session: string, options: { prefix?: string; dryRun?: boolean; prune?: boolean }): Promise<SsoPopulateResult>;
  /** AWS Sign-In (`keytray login`) in the browser, shown in the prompt window; the profile is wired to Keytray. */
  loginSignIn(profile: string, region?: string): Promise<{ profile: string; principal: string; region: string; signInSecondsLeft: number; addedSection: boolean }>;
  loginSignOut(profile: string): Promise<{ profile: string; hadSession: boolean; clearedSessions: string[] }>;
}

/** Where no prompt window is, a sign-in shows nothing but the browser, and nothing cancels it. */
const unshownSignIn: SignInPresentation = { browserOpening: () => undefined, deviceCode: () => undefined, end: () => undefined };

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

  /** A sign-in or sign-out that failed (or was cancelled) is an activity entry too, then the caller's error. */
  async function signInLogged<T>(kind: 'signed-in' | 'signed-out' | 'config', profile: string | undefined, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const failure = asKeytrayError(err, profile);
      const refused = failure.code === 'signin-cancelled' || failure.code === 'sso-denied';
      activity.record({ kind, outcome: refused ? 'refused' : 'failed', profile, summary: `${what} ${refused ? 'was cancelled' : 'failed'}: ${failure.toLine()}` });
      changed();
      throw err;
    }
  }

  const loginSignInsInFlight = new Map<string, ReturnType<AppActions['loginSignIn']>>();

  async function signInLoginProfile(profile: string, region: string | undefined): ReturnType<AppActions['loginSignIn']> {
    // Checked before the prompt window says "continue in your browser" for a profile that cannot sign in.
    assertValidProfileName(profile);
    assertCanServeLogin(vault.loadConfig(), profile);
    const timeoutMs = app.signInTimeoutMs ?? DEFAULT_SIGNIN_TIMEOUT_MS;
    const startedAt = Date.now();
    const shown = app.signIns?.begin({ service: 'AWS Sign-In', target: profile, mode: 'browser', startedAt, expiresAt: startedAt + timeoutMs }) ?? unshownSignIn;
    const opener = app.openUrl ?? systemUrlOpener({ env: vault.env });
    try {
      const outcome = await signInLogged('signed-in', profile, `Signing in profile "${profile}" with AWS Sign-In`, () =>
        loginProfile(vault, {
          profile,
          region,
          remote: false,
          timeoutMs,
          signal: shown.signal,
          openBrowser: async (url) => {
            shown.browserOpening(url);
            await opener(url);
          },
          // The terminal's lines carry the page's URL; here the prompt window speaks, and only a failure is logged.
          tell: (line) => {
            if (line.startsWith('keytray: ')) app.onBackgroundFailure?.(line.slice('keytray: '.length));
          },
          readPastedCode: () => Promise.reject(new KeytrayError('usage', 'The Keytray window signs in on this device only', { profile, hint: `Run \`keytray login ${profile} --remote\` to paste a code from another device.` })),
          launcher: app.launcherPath,
        }),
      );
      app.onLocked?.();
      const signedInAt = outcome.session.signedInAt ?? vault.clock.now();
      activity.record({ kind: 'signed-in', profile, summary: `Signed in profile "${profile}" as ${outcome.session.loginSession} (${outcome.region}) with AWS Sign-In.` });
      changed();
      return {
        profile,
        principal: outcome.session.loginSession,
        region: outcome.region,
        signInSecondsLeft: Math.floor((signedInAt + LOGIN_SESSION_MS - vault.clock.now()) / 1000),
        addedSection: outcome.wired.created,
      };
    } finally {
      shown.end();
    }
  }

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

    async ssoSignIn(sessionName, options = {}) {
      const session = ssoSession(vault.loadConfig(), sessionName);
      // Over SSH or without a display, a browser here helps nobody: the device code works from any device.
      const flow = options.deviceCode || !canOpenBrowser({ env: vault.env }) ? 'device_code' : 'authorization_code';
      const token = await signInLogged('signed-in', undefined, `Signing in to IAM Identity Center session "${sessionName}"`, () => signInToSsoSession(vault, session, flow));
      const secondsLeft = Math.floor((token.expiresAt - vault.clock.now()) / 1000);
      activity.record({ kind: 'signed-in', summary: `Signed in to IAM Identity Center session "${sessionName}"${flow === 'device_code' ? ' with a device code' : ''}.` });
      changed();
      // Best effort: the names only make the list read better, so a failure is a log line, not the sign-in's.
      learnSsoAccountNames(vault, session, token.accessToken).then(
        () => changed(),
        (err: unknown) => app.onBackgroundFailure?.(`could not list the accounts of IAM Identity Center session "${sessionName}": ${asKeytrayError(err).toLine()}`),
      );
      return { session: sessionName, secondsLeft, renews: !!token.refreshToken };
    },

    async ssoSignOut(sessionName) {
      const session = ssoSession(vault.loadConfig(), sessionName);
      const { hadToken, clearedProfiles } = await signOutOfSsoSession(vault, session);
      // The agent's memory would otherwise go on serving the signed-out user's role credentials.
      app.onLocked?.();
      activity.record({
        kind: 'signed-out',
        summary: hadToken || clearedProfiles.length
          ? `Signed out of IAM Identity Center session "${sessionName}"${clearedProfiles.length ? `; ended the sessions of ${clearedProfiles.join(', ')}` : ''}.`
          : `IAM Identity Center session "${sessionName}" was not signed in.`,
      });
      changed();
      return { session: sessionName, hadToken, clearedProfiles };
    },

    async ssoPopulate(sessionName, options) {
      const outcome = await signInLogged('config', undefined, `Adding profiles for the accounts of IAM Identity Center session "${sessionName}"`, () =>
        populateSsoSession(vault, sessionName, { ...options, allowSignIn: true, launcher: app.launcherPath }),
      );
      const { plan } = outcome;
      const removed = outcome.pruned && !outcome.dryRun;
      if (!outcome.dryRun) {
        const parts = [`added ${plan.add.length} profile(s)`, ...(removed && plan.gone.length ? [`removed ${plan.gone.length}`] : []), `${plan.kept.length} already up to date`];
        activity.record({ kind: 'config', summary: `IAM Identity Center session "${sessionName}": ${parts.join(', ')}.` });
      }
      changed();
      return {
        session: sessionName,
        configFile: outcome.configFile,
        dryRun: outcome.dryRun,
        added: plan.add.map(({ profile, accountId, accountName, roleName }) => ({ profile, accountId, accountName, roleName })),
        kept: plan.kept.length,
        nameTaken: plan.nameTaken.map(({ profile, accountId, accountName, roleName }) => ({ profile, accountId, accountName, roleName })),
        gone: plan.gone,
        removed,
      };
    },

    loginSignIn(profile, region) {
      // A second Sign in for a profile whose sign-in is still open (the window's and the tray's, or a
      // double click) joins it: one browser tab, one session, rather than two that replace each other.
      const open = loginSignInsInFlight.get(profile);
      if (open) return open;
      const started = signInLoginProfile(profile, region).finally(() => loginSignInsInFlight.delete(profile));
      loginSignInsInFlight.set(profile, started);
      return started;
    },

    async loginSignOut(profile) {
      const outcome = await logoutProfile(vault, profile);
      app.onLocked?.();
      activity.record({
        kind: 'signed-out',
        profile,
        summary: outcome.hadSession
          ? `Signed out profile "${profile}"${outcome.clearedSessions.length ? `; ended the sessions of ${outcome.clearedSessions.join(', ')}` : ''}.`
          : `Profile "${profile}" was not signed in.`,
      });
      changed();
      return outcome;
    },

    async lock(why, promptsCancelledBecause = 'Keytray was locked') {
      app.prompts?.cancelAll(promptsCancelledBecause);
      // A sign-in finishing after the lock would start sessions again.
      app.signIns?.cancelAll(promptsCancelledBecause);
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
