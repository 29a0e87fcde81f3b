import type { RequestContext } from '../core/sessions/sessionEngine';
import type { Vault } from '../core/vault';
import type { AppSupport, PromptAnswer, PromptView } from '../ipc/contract';
import type { ActivityLog } from './activityLog';
import type { ExpiringClipboard } from './clipboardExport';
import type { ProfileUsageStore } from './profileUsage';
import type { PersonMfaPrompter } from '../core/mfa/mfaRetry';
import type { UrlOpener } from '../core/browserSignin';
import type { SignInPresentation } from '../core/sso/ssoSignin';
import type { BrowserSignInView } from '../ipc/contract';
import type { SignInStart } from './browserSignInBroker';

/**
 * What the handler table needs from its host. Electron's main process and the dev:web harness pass
 * different implementations of the platform parts (clipboard, console, login items); core is the
 * same real vault in both.
 */
export interface AppServices {
  vault: Vault;
  activity: ActivityLog;
  /** Pins and recently used profiles; read from the data directory when not given. */
  usage?: ProfileUsageStore;
  clipboard: ExpiringClipboard;
  /** The `keytray` launcher to write into credential_process; throws when none is installed yet. */
  launcherPath: () => string;
  /** The MFA prompt queue that the agent's prompter feeds; absent where no agent runs. */
  prompts?: PersonMfaPrompter & {
    current(): PromptView | null;
    answer(id: string, code: string): Promise<PromptAnswer>;
    cancel(id: string): boolean;
    /** Lock: nobody is left waiting for a code that would start a session the lock just ended. */
    cancelAll(reason: string): void;
  };
  /**
   * The browser sign-ins the prompt window shows (IAM Identity Center, AWS Sign-In); absent where
   * no prompt window exists, and a sign-in then runs with nothing on screen but the browser.
   */
  signIns?: {
    begin(start: SignInStart): SignInPresentation;
    current(): BrowserSignInView | null;
    cancel(id: string): boolean;
    reopen(id: string): Promise<boolean>;
    cancelAll(reason: string): void;
  };
  /** Opens sign-in pages; the platform opener honouring BROWSER by default. */
  openUrl?: UrlOpener;
  /** How long an AWS Sign-In waits for the browser; IAM Identity Center's wait is the vault's. */
  signInTimeoutMs?: number;
  /** Opens the AWS console signed in as the profile (the console module builds the URL). */
  openConsole?: (profile: string, ctx: RequestContext) => Promise<void>;
  setStartAtLogin?: (enabled: boolean) => void;
  installCli?: () => Promise<{ path: string; message: string }>;
  /** Called after anything the tray shows may have changed (sessions, active profile, profiles). */
  onStateChanged?: () => void;
  /** Called after Lock: drop whatever is cached in memory (the agent's session cache). */
  onLocked?: () => void;
  /** Where a failure nobody awaits (a timed clipboard clear) is reported: the app's log. */
  onBackgroundFailure?: (line: string) => void;
  /** What this platform's desktop can do (tray host, settings that do nothing here). */
  support?: () => AppSupport;
  /** Quits the app: the window's Quit, for desktops with no tray to quit from. */
  quit?: () => void;
}
