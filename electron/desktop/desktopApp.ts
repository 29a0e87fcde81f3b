import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultEnvFormat } from '../core/export/envExport';
import { KeychainGeneration, generationFile } from '../core/keychain/keychainGeneration';
import { OsKeychainBackend, keychainServiceFor } from '../core/keychain/secretBackend';
import { OsAsyncKeychain, SnapshotKeychainBackend } from '../core/keychain/snapshotKeychainBackend';
import { resolvePaths } from '../core/paths';
import { createVault } from '../core/vault';
import type { Channel } from '../ipc/channels';
import { startAgent as startRealAgent, type AgentActivity, type AgentOptions, type RunningAgent } from '../agent/agentServer';
import { createConsoleSignin } from '../core/console/consoleSignin';
import { openSecretUrlInBrowser } from '../core/console/browserLauncher';
import { asKeytrayError } from '../core/errors';
import { mfaProcessSource } from '../core/mfa/mfaCodeSources';
import { askPersonAgainOnRejectedCode } from '../core/mfa/mfaRetry';
import type { RequestContext } from '../core/sessions/sessionEngine';
import { activeProfileFile, loadSettings } from '../core/settings';
import type { Vault } from '../core/vault';
import { ActivityLog } from './activityLog';
import { ExpiringClipboard, type ClipboardLike } from './clipboardExport';
import { createAppActions } from './appActions';
import type { AppServices } from './appServices';
import { createHandlerTable } from './handlerTable';
import { buildProfileList } from './profileList';
import type { HandlerTable } from '../ipc/ipcDoor';
import type { ActivityEntry, ProfileList, PushSink } from '../ipc/contract';
import { ExpiryNotifier } from './expiryNotifier';
import { ProfileUsageStore } from './profileUsage';
import { MfaPromptBroker, type PromptWindowHost } from './mfaPromptBroker';
import { BrowserSignInBroker } from './browserSignInBroker';
import { PromptWindowQueues } from './promptWindowQueues';
import { describeSsoTimeLeft, describeTimeLeft } from './sessionTimeLeft';
import { systemUrlOpener } from '../core/browserSignin';
import type { SignInPresenter } from '../core/sso/ssoSignin';
import { resolveProfileChain } from '../core/config/awsConfig';
import { SsoAccountNames } from '../core/sso/ssoAccountNames';
import { ssoSessionOfProfile } from '../core/sso/ssoConfig';
import { learnSsoAccountNames } from '../core/sso/ssoSessionActions';
import { buildTrayTemplate, trayTooltip, type TrayAction, type TrayMenuItem, type TrayState } from './trayTemplate';

/**
 * The desktop app without Electron: vault, embedded agent, MFA prompt queue, activity log, tray
 * state and the IPC handler table, wired together. main/index.ts passes the Electron surface in;
 * tests pass fakes for what cannot run here (windows, tray, notifications) and real parts for the
 * rest (keychain, agent socket, STS emulator).
 */

/** What the app needs from Electron. */
export interface ElectronSurface {
  clipboard: ClipboardLike;
  promptWindow: PromptWindowHost;
  showMainWindow(): void;
  renderTray(template: TrayMenuItem[], tooltip: string): void;
  /** `action` is a button on the notification (Renew); a click on the notification runs it too. */
  notify(title: string, body: string, action?: { label: string; run(): void }): void;
  setStartAtLogin(enabled: boolean): void;
  /** Opens a URL in the user's browser (shell.openExternal). */
  openExternal(url: string): Promise<void>;
  quit(): void;
  /** Where blocked actions and failures are reported (the console in dev, a log file in production). */
  log(line: string): void;
  /** Sends an event to every window of the app (webContents.send in Electron, Server-Sent Events in dev:web). */
  push?: PushSink;
}

export interface DesktopAppOptions {
  env?: NodeJS.ProcessEnv;
  surface: ElectronSurface;
  /** The launcher credential_process lines name; may throw when none is installed yet. */
  launcherPath: () => string;
  installCli?: AppServices['installCli'];
  /** Injected for tests; the real agent by default. */
  startAgent?: (options: AgentOptions) => Promise<RunningAgent>;
  /** What this platform's desktop can do; the window shows its notes. */
  support?: AppServices['support'];
  /** How often the state is re-read for what only the clock changes (expiry notices); 30 s by default. */
  refreshEveryMs?: number;
  /** How long a browser sign-in (IAM Identity Center, AWS Sign-In) waits for the person; 5 minutes by default. */
  signInTimeoutMs?: number;
}

export interface DesktopApp {
  vault: Vault;
  handlers: HandlerTable;
  activity: ActivityLog;
  prompts: MfaPromptBroker;
  /** The browser sign-ins the prompt window shows. */
  signIns: BrowserSignInBroker;
  agent: RunningAgent | null;
  /** The person closed the prompt window: every MFA request and browser sign-in it showed is cancelled. */
  promptWindowClosed(): void;
  /** Rebuilds the tray and checks for sessions about to expire. */
  refresh(): TrayState;
  runTrayAction(action: TrayAction): Promise<void>;
  /** powerMonitor's 'suspend' and 'lock-screen'; resolves when the lock (clipboard included) is done. */
  onSystemEvent(event: 'suspend' | 'lock-screen'): Promise<void>;
  stop(): Promise<void>;
}

export async function startDesktopApp(options: DesktopAppOptions): Promise<DesktopApp> {
  const { surface } = options;
  const env = options.env ?? process.env;
  // Keychain reads answered from a snapshot and writes sent off the main thread (see SnapshotKeychainBackend).
  // The vault's IAM Identity Center presenter is the sign-in queue below, built once the vault is.
  const presenter: SignInPresenter = { begin: (session, start) => signIns.ssoPresenter.begin(session, start) };
  const { vault, keychain } = createDesktopVault(env, presenter, options.signInTimeoutMs, (err) => surface.log(`could not save to the keychain: ${asKeytrayError(err).toLine()}`));
  await keychain.reload().catch((err: unknown) => surface.log(asKeytrayError(err).toLine()));
  const push: PushSink = (event, payload) => surface.push?.(event, payload);
  const activity = new PushingActivityLog((entry) => push('activity.added', entry), () => vault.clock.now(), undefined, vault.paths.dataDir, (line) => surface.log(line));
  const usage = new ProfileUsageStore(vault.paths.dataDir);
  const clipboard = new ExpiringClipboard(surface.clipboard);
  const notifier = new ExpiryNotifier((title, body, renew) =>
    surface.notify(title, body, renew === undefined ? undefined : { label: 'Renew', run: () => void runTrayAction({ type: 'renew-session', profile: renew }) }),
  );
  let tray: TrayState = { profiles: [], active: null, pendingPrompts: 0, ssoSessions: [] };
  let lastPushed = '';

  const refresh = (): TrayState => {
    try {
      const list = buildProfileList(vault, usage.read());
      tray = { profiles: list.profiles, active: list.active, pendingPrompts: prompts.pendingCount, pendingSignIns: signIns.pendingCount, problem: list.configError, ssoSessions: list.ssoSessions };
      notifier.update(list.profiles, list.builtAt, list.active);
      // The periodic refresh re-reads state that usually has not changed: the window hears only of changes.
      const signature = listSignature(list);
      if (signature !== lastPushed) {
        lastPushed = signature;
        push('state.changed', list);
      }
    } catch (err) {
      // A locked keychain must show as a problem in the menu, not as "no profiles".
      tray = { ...tray, pendingPrompts: prompts.pendingCount, pendingSignIns: signIns.pendingCount, problem: asKeytrayError(err).toLine() };
    }
    surface.renderTray(buildTrayTemplate(tray), trayTooltip(tray));
    return tray;
  };

  /** Another process's keychain write is read in off the main thread before the list is rebuilt. */
  const refreshFromKeychain = async (): Promise<void> => {
    if (keychain.isStale()) await keychain.reload().catch((err: unknown) => surface.log(asKeytrayError(err).toLine()));
    refresh();
  };
  let debounce: ReturnType<typeof setTimeout> | null = null;
  const refreshSoon = (): void => {
    if (debounce) return;
    debounce = setTimeout(() => {
      debounce = null;
      void refreshFromKeychain();
    }, WATCH_DEBOUNCE_MS);
    debounce.unref?.();
  };

  // One prompt window for both queues: hidden only when neither has anything waiting.
  const promptQueues = new PromptWindowQueues(surface.promptWindow);
  const signIns = new BrowserSignInBroker(promptQueues.hostFor('sign-in'), {
    openUrl: systemUrlOpener({ env }),
    onChange: () => {
      push('signin.changed', signIns.current());
      refresh();
    },
  });
  const prompts = new MfaPromptBroker(promptQueues.hostFor('mfa'), {
    activity,
    now: () => vault.clock.now(),
    onChange: () => {
      push('prompt.changed', prompts.current());
      refresh();
    },
    facts: (profile) => {
      try {
        const p = vault.loadConfig().profile(profile);
        const roleArn = p.kind === 'role' ? p.roleArn : undefined;
        return { roleArn, account: /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(roleArn ?? p.mfaSerial ?? '')?.[1] };
      } catch {
        return {};
      }
    },
  });

  const openConsole = async (profile: string, ctx: RequestContext): Promise<void> => {
    const signin = await createConsoleSignin({ engine: vault.engine, loadConfig: vault.loadConfig, env }, { profile }, ctx);
    await openSecretUrlInBrowser(signin.url, { launch: (url) => surface.openExternal(url) });
  };

  const services: AppServices = {
    vault,
    activity,
    clipboard,
    usage,
    launcherPath: options.launcherPath,
    prompts,
    signIns,
    openUrl: systemUrlOpener({ env }),
    signInTimeoutMs: options.signInTimeoutMs,
    openConsole,
    setStartAtLogin: (enabled) => surface.setStartAtLogin(enabled),
    installCli: options.installCli,
    onStateChanged: () => refresh(),
    // Lock's deletes already left the snapshot; there is no other memory to drop.
    onLocked: () => undefined,
    support: options.support,
    quit: () => surface.quit(),
    onBackgroundFailure: (line) => surface.log(line),
  };
  const actions = createAppActions(services);
  const handlers = withWritesSettled(withSettingsPush(createHandlerTable(services, actions), push), () => keychain.settled());

  const agent = await (options.startAgent ?? startRealAgent)({
    vault,
    prompter: prompts.prompter,
    person: prompts,
    onActivity: (a) => {
      recordAgentActivity(activity, a);
      if (a.outcome === 'served') learnAccountNamesAfterServing(a.profile);
      // A served request may have started a session the window should show.
      refreshSoon();
    },
  }).catch((err: unknown) => {
    // Another agent (a headless `keytray agent`) already serves this user: the app still works, the
    // CLI just talks to that one. Say so rather than refusing to start.
    surface.log(asKeytrayError(err).toLine());
    return null;
  });

  /**
   * A sign-in the agent started for a program (an SSO profile with no token) is a sign-in of this
   * app too: once a request through it is served, the session's accounts are listed in the
   * background to learn their names, as after a Sign in button. Each account is looked up once per
   * sign-in (the names file is read then, not on every request), and the accounts are listed at
   * most once per sign-in, only for an account whose name is unknown: a cache hit never costs a
   * call to AWS.
   */
  const checkedForSignIn = new Map<string, number>();
  const listedForSignIn = new Map<string, number>();
  const learnAccountNamesAfterServing = (profile: string): void => {
    let session;
    let accountId: string;
    try {
      const config = vault.loadConfig();
      const root = resolveProfileChain(config, profile).find((p) => p.kind === 'sso');
      if (root?.kind !== 'sso' || !root.ssoAccountId) return;
      accountId = root.ssoAccountId;
      session = ssoSessionOfProfile(config, root);
    } catch {
      return; // a broken chain was the request's failure to report, not this one's
    }
    const token = vault.store.getSsoToken(session.key);
    if (!token || token.expiresAt <= vault.clock.now() || checkedForSignIn.get(`${session.key}/${accountId}`) === token.signedInAt) return;
    checkedForSignIn.set(`${session.key}/${accountId}`, token.signedInAt);
    if (new SsoAccountNames(vault.paths.dataDir).read().has(accountId) || listedForSignIn.get(session.key) === token.signedInAt) return;
    listedForSignIn.set(session.key, token.signedInAt);
    learnSsoAccountNames(vault, session, token.accessToken).then(
      () => refreshSoon(),
      (err: unknown) => surface.log(`could not list the accounts of ${session.name ? `IAM Identity Center session "${session.name}"` : session.startUrl}: ${asKeytrayError(err).toLine()}`),
    );
  };

  /**
   * Tray actions ask for MFA codes through the prompt window, like any other client of the agent,
   * and a refused code is asked for again there.
   */
  const withTrayMfa = <T>(run: (ctx: RequestContext) => Promise<T>): Promise<T> =>
    askPersonAgainOnRejectedCode({
      before: [mfaProcessSource],
      person: prompts,
      now: () => vault.clock.now(),
      run: (mfa) => run({ mfa, requester: { pid: process.pid, command: 'Keytray tray menu' } }),
    });

  const runTrayAction = async (action: TrayAction): Promise<void> => {
    try {
      switch (action.type) {
        case 'make-active':
          actions.makeActive(action.profile);
          break;
        case 'activate':
          await withTrayMfa((ctx) => actions.activate(action.profile, ctx));
          break;
        case 'start-session':
          await withTrayMfa((ctx) => actions.startSession(action.profile, ctx));
          break;
        case 'renew-session':
          // The session is about to end: a new one now, not the cached one the engine would reuse.
          actions.endSession(action.profile);
          await withTrayMfa((ctx) => actions.startSession(action.profile, ctx));
          break;
        case 'end-session':
          actions.endSession(action.profile);
          break;
        case 'copy-env': {
          const { clearsAfterSeconds } = await withTrayMfa((ctx) => actions.copyEnv(action.profile, defaultEnvFormat(process.platform), ctx));
          surface.notify('Env export copied', `The ${action.profile} credentials are on the clipboard for ${clearsAfterSeconds} seconds.`);
          break;
        }
        case 'open-console':
          await withTrayMfa((ctx) => actions.openConsole(action.profile, ctx));
          break;
        case 'show-prompt':
          surface.promptWindow.show();
          break;
        case 'sso-sign-in': {
          const { secondsLeft, renews } = await actions.ssoSignIn(action.session);
          surface.notify('Signed in', `IAM Identity Center session "${action.session}": ${describeSsoTimeLeft(secondsLeft, renews)}${renews ? '; it renews by itself' : ''}.`);
          break;
        }
        case 'sso-sign-out': {
          const { hadToken, clearedProfiles } = await actions.ssoSignOut(action.session);
          surface.notify('Signed out', hadToken || clearedProfiles.length ? `IAM Identity Center session "${action.session}": its tokens and role credentials are gone.` : `IAM Identity Center session "${action.session}" was not signed in.`);
          break;
        }
        case 'sso-populate': {
          const result = await actions.ssoPopulate(action.session, {});
          const gone = result.gone.length ? ` ${result.gone.length} no longer assigned (remove them in the window).` : '';
          surface.notify(
            'Profiles for your accounts',
            result.added.length ? `Added ${result.added.length} profile(s) from "${action.session}"; ${result.kept} already there.${gone}` : `No new profiles: ${result.kept} already there.${gone}`,
          );
          break;
        }
        case 'login-sign-in': {
          const { principal, signInSecondsLeft } = await actions.loginSignIn(action.profile);
          surface.notify('Signed in', `Profile "${action.profile}" as ${principal}; the sign-in lasts ${describeTimeLeft(signInSecondsLeft).replace(/ left$/, '')}.`);
          break;
        }
        case 'login-sign-out': {
          const { hadSession } = await actions.loginSignOut(action.profile);
          surface.notify('Signed out', hadSession ? `Profile "${action.profile}": its sign-in and credentials are gone.` : `Profile "${action.profile}" was not signed in.`);
          break;
        }
        case 'lock':
          await actions.lock('Locked from the tray');
          break;
        case 'open-window':
          surface.showMainWindow();
          break;
        case 'quit':
          surface.quit();
          return;
      }
      // A keychain write that failed is this action's failure, not a silent one.
      await keychain.settled();
    } catch (err) {
      const line = asKeytrayError(err).toLine();
      surface.notify('Keytray', line);
      surface.log(line);
      // A failed action may still have changed what the menu shows (a prompt came and went).
      refresh();
    }
  };

  const onSystemEvent = async (event: 'suspend' | 'lock-screen'): Promise<void> => {
    const settings = loadSettings(vault.paths.dataDir);
    const wanted = event === 'suspend' ? settings.lockOnSleep : settings.lockOnScreenLock;
    if (!wanted) return;
    try {
      if (event === 'suspend') await actions.lock('Locked on sleep', 'the computer went to sleep');
      else await actions.lock('Locked on screen lock', 'the screen was locked');
    } catch (err) {
      surface.log(`could not lock on ${event}: ${asKeytrayError(err).toLine()}`);
    }
  };

  // Other processes change what the window shows (`keytray add`, `clear`, an edited ~/.aws/config):
  // their writes are watched, and the clock is checked now and then for sessions about to end.
  const watchers = watchFilesOf(vault, refreshSoon, surface.log);
  const ticker = setInterval(() => void refreshFromKeychain(), options.refreshEveryMs ?? STATE_REFRESH_MS);
  ticker.unref?.();

  const stop = async (): Promise<void> => {
    clearInterval(ticker);
    if (debounce) clearTimeout(debounce);
    for (const w of watchers) w.close();
    prompts.cancelAll('Keytray quit');
    signIns.cancelAll('Keytray quit');
    await clipboard.flush();
    await agent?.close();
    await keychain.settled().catch((err: unknown) => surface.log(asKeytrayError(err).toLine()));
  };

  try {
    refresh();
  } catch (err) {
    // The first tray render failed (no tray, a broken menu): the host reports it and exits, and no
    // agent may go on listening for a process that will serve nothing.
    await stop();
    throw err;
  }
  const promptWindowClosed = (): void => {
    prompts.windowClosed();
    signIns.cancelAll('the Keytray prompt window was closed');
  };
  return { vault, handlers, activity, prompts, signIns, agent, promptWindowClosed, refresh, runTrayAction, onSystemEvent, stop };
}

function recordAgentActivity(activity: ActivityLog, a: AgentActivity): void {
  const who = a.requester.command ? `${a.requester.command} (pid ${a.requester.parentPid ?? a.requester.pid})` : `pid ${a.requester.pid}`;
  activity.record({
    at: a.at,
    kind: 'served',
    outcome: a.outcome === 'served' ? undefined : /cancel/i.test(a.error ?? '') ? 'refused' : 'failed',
    profile: a.profile,
    requester: { pid: a.requester.parentPid ?? a.requester.pid, command: a.requester.command },
    summary:
      a.outcome === 'served'
        ? `Served "${a.profile}" to ${who}${a.source === 'cache' ? ' from the cached session' : a.source === 'sts' ? ' with a new session' : ''}.`
        : `Refused "${a.profile}" to ${who}: ${a.error ?? 'failed'}`,
  });
}

const STATE_REFRESH_MS = 30_000;

/**
 * The app's vault: core's, over the snapshot keychain. Writes still move the generation marker,
 * so headless agents and other Keytray processes hear of them as before.
 */
function createDesktopVault(env: NodeJS.ProcessEnv, ssoPresenter: SignInPresenter, ssoSignInTimeoutMs: number | undefined, onWriteFailed: (err: unknown) => void) {
  const service = keychainServiceFor(env);
  const generation = new KeychainGeneration(generationFile(resolvePaths(env).dataDir));
  const keychain = new SnapshotKeychainBackend(new OsAsyncKeychain(service), new OsKeychainBackend(service), generation, onWriteFailed);
  return { vault: createVault({ env, backend: keychain, reuseUnchangedConfig: true, ssoPresenter, ssoSignInTimeoutMs }), keychain };
}

/** Every IPC answer waits for the keychain writes its handler made: "saved" means saved. */
function withWritesSettled(table: HandlerTable, settled: () => Promise<void>): HandlerTable {
  const wrapped: Partial<Record<Channel, (request: unknown) => Promise<unknown>>> = {};
  for (const channel of Object.keys(table) as Channel[]) {
    const handler = table[channel] as (request: unknown) => unknown;
    wrapped[channel] = async (request) => {
      const result = await handler(request);
      await settled();
      return result;
    };
  }
  return wrapped as HandlerTable;
}
const WATCH_DEBOUNCE_MS = 100;

/**
 * Watches the folders of the files whose change the window must show: the keychain generation
 * marker and the active profile (written by any Keytray process), and the AWS config and
 * credentials files. Folders, not files, because every writer replaces its file by rename.
 */
function watchFilesOf(vault: Vault, onChange: () => void, log: (line: string) => void): fs.FSWatcher[] {
  const byDir = new Map<string, Set<string>>();
  const files = [generationFile(vault.paths.dataDir), activeProfileFile(vault.paths.dataDir), vault.paths.configFile, vault.paths.credentialsFile];
  for (const file of files) {
    const dir = path.dirname(file);
    byDir.set(dir, (byDir.get(dir) ?? new Set()).add(path.basename(file)));
  }
  const watchers: fs.FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) onChange();
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch (err) {
      // The periodic refresh still picks changes up, only later.
      log(`cannot watch ${dir} for changes (${err instanceof Error ? err.message : String(err)}); the window updates every 30 s instead`);
    }
  }
  return watchers;
}

/** The activity log, telling the window of each new entry as it is recorded. */
class PushingActivityLog extends ActivityLog {
  constructor(
    private readonly onAdded: (entry: ActivityEntry) => void,
    ...rest: ConstructorParameters<typeof ActivityLog>
  ) {
    super(...rest);
  }
  override record(entry: Parameters<ActivityLog['record']>[0]): ActivityEntry {
    const full = super.record(entry);
    this.onAdded(full);
    return full;
  }
}

/** Saved settings reach every window (the tray's and the window's toggles must agree). */
function withSettingsPush(table: HandlerTable, push: PushSink): HandlerTable {
  const set = table['settings.set'];
  return {
    ...table,
    'settings.set': async (patch) => {
      const saved = await set(patch);
      push('settings.changed', saved);
      return saved;
    },
  };
}

/**
 * What the window shows of a list, minus what only moves with the clock: the window counts time left
 * down itself, so a session's end is compared to the minute rather than its seconds left.
 */
function listSignature(list: ProfileList): string {
  return JSON.stringify({
    ...list,
    builtAt: 0,
    profiles: list.profiles.map((p) => ({
      ...p,
      timeLeftText: '',
      signInTimeLeftText: '',
      sessionSecondsLeft: p.sessionSecondsLeft === null ? null : Math.round((list.builtAt / 1000 + p.sessionSecondsLeft) / 60),
      signInSecondsLeft: p.signInSecondsLeft === undefined || p.signInSecondsLeft === null ? p.signInSecondsLeft : Math.round((list.builtAt / 1000 + p.signInSecondsLeft) / 60),
    })),
    ssoSessions: list.ssoSessions.map((s) => ({ ...s, timeLeftText: '', secondsLeft: s.secondsLeft === null ? null : Math.round((list.builtAt / 1000 + s.secondsLeft) / 60) })),
  });
}
