import { defaultEnvFormat } from '../core/export/envExport';
import { createAgentVault } from '../agent/agentVault';
import { startAgent as startRealAgent, type AgentActivity, type AgentOptions, type RunningAgent } from '../agent/agentServer';
import { createConsoleSignin } from '../core/console/consoleSignin';
import { openSecretUrlInBrowser } from '../core/console/browserLauncher';
import { asKeytrayError } from '../core/errors';
import { mfaProcessSource } from '../core/mfa/mfaCodeSources';
import { askPersonAgainOnRejectedCode } from '../core/mfa/mfaRetry';
import type { RequestContext } from '../core/sessions/sessionEngine';
import { loadSettings } from '../core/settings';
import type { Vault } from '../core/vault';
import { ActivityLog } from './activityLog';
import { ExpiringClipboard, type ClipboardLike } from './clipboardExport';
import { createAppActions } from './appActions';
import type { AppServices } from './appServices';
import { createHandlerTable } from './handlerTable';
import { buildProfileList } from './profileList';
import type { HandlerTable } from '../ipc/ipcDoor';
import { ExpiryNotifier } from './expiryNotifier';
import { ProfileUsageStore } from './profileUsage';
import { MfaPromptBroker, type PromptWindowHost } from './mfaPromptBroker';
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
}

export interface DesktopAppOptions {
  env?: NodeJS.ProcessEnv;
  surface: ElectronSurface;
  /** The launcher credential_process lines name; may throw when none is installed yet. */
  launcherPath: () => string;
  installCli?: AppServices['installCli'];
  /** Injected for tests; the real agent by default. */
  startAgent?: (options: AgentOptions) => Promise<RunningAgent>;
}

export interface DesktopApp {
  vault: Vault;
  handlers: HandlerTable;
  activity: ActivityLog;
  prompts: MfaPromptBroker;
  agent: RunningAgent | null;
  /** Rebuilds the tray and checks for sessions about to expire. */
  refresh(): TrayState;
  runTrayAction(action: TrayAction): Promise<void>;
  /** powerMonitor's 'suspend' and 'lock-screen'. */
  onSystemEvent(event: 'suspend' | 'lock-screen'): void;
  stop(): Promise<void>;
}

export async function startDesktopApp(options: DesktopAppOptions): Promise<DesktopApp> {
  const { surface } = options;
  const env = options.env ?? process.env;
  // The same vault the headless agent uses: sessions held in memory after the first keychain read.
  const { vault, forget } = createAgentVault(env);
  const activity = new ActivityLog(() => vault.clock.now(), undefined, vault.paths.dataDir, (line) => surface.log(line));
  const usage = new ProfileUsageStore(vault.paths.dataDir);
  const clipboard = new ExpiringClipboard(surface.clipboard);
  const notifier = new ExpiryNotifier((title, body, renew) =>
    surface.notify(title, body, renew === undefined ? undefined : { label: 'Renew', run: () => void runTrayAction({ type: 'renew-session', profile: renew }) }),
  );
  let tray: TrayState = { profiles: [], active: null, pendingPrompts: 0 };

  const refresh = (): TrayState => {
    try {
      const list = buildProfileList(vault, usage.read());
      tray = { profiles: list.profiles, active: list.active, pendingPrompts: prompts.pendingCount, problem: list.configError };
      notifier.update(list.profiles, list.builtAt, list.active);
    } catch (err) {
      // A locked keychain must show as a problem in the menu, not as "no profiles".
      tray = { ...tray, pendingPrompts: prompts.pendingCount, problem: asKeytrayError(err).toLine() };
    }
    surface.renderTray(buildTrayTemplate(tray), trayTooltip(tray));
    return tray;
  };

  const prompts = new MfaPromptBroker(surface.promptWindow, {
    activity,
    now: () => vault.clock.now(),
    onChange: () => refresh(),
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
    openConsole,
    setStartAtLogin: (enabled) => surface.setStartAtLogin(enabled),
    installCli: options.installCli,
    onStateChanged: () => refresh(),
    onLocked: () => forget(),
  };
  const actions = createAppActions(services);
  const handlers = createHandlerTable(services, actions);

  const agent = await (options.startAgent ?? startRealAgent)({
    vault,
    prompter: prompts.prompter,
    person: prompts,
    onActivity: (a) => recordAgentActivity(activity, a),
  }).catch((err: unknown) => {
    // Another agent (a headless `keytray agent`) already serves this user: the app still works, the
    // CLI just talks to that one. Say so rather than refusing to start.
    surface.log(asKeytrayError(err).toLine());
    return null;
  });

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
        case 'lock':
          actions.lock('Locked from the tray');
          break;
        case 'open-window':
          surface.showMainWindow();
          break;
        case 'quit':
          surface.quit();
          return;
      }
    } catch (err) {
      const line = asKeytrayError(err).toLine();
      surface.notify('Keytray', line);
      surface.log(line);
      // A failed action may still have changed what the menu shows (a prompt came and went).
      refresh();
    }
  };

  const onSystemEvent = (event: 'suspend' | 'lock-screen'): void => {
    const settings = loadSettings(vault.paths.dataDir);
    const wanted = event === 'suspend' ? settings.lockOnSleep : settings.lockOnScreenLock;
    if (!wanted) return;
    if (event === 'suspend') actions.lock('Locked on sleep', 'the computer went to sleep');
    else actions.lock('Locked on screen lock', 'the screen was locked');
  };

  refresh();
  return {
    vault,
    handlers,
    activity,
    prompts,
    agent,
    refresh,
    runTrayAction,
    onSystemEvent,
    async stop() {
      prompts.cancelAll('Keytray quit');
      await clipboard.flush();
      await agent?.close();
    },
  };
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
