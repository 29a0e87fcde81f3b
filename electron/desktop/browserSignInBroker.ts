import { randomUUID } from 'node:crypto';
import type { UrlOpener } from '../core/browserSignin';
import { asKeytrayError, KeytrayError } from '../core/errors';
import type { DeviceCodeInfo, SignInOrigin, SignInPresentation, SignInPresenter } from '../core/sso/ssoSignin';
import type { BrowserSignInView } from '../ipc/contract';
import type { PromptWindowHost } from './mfaPromptBroker';
import { processNameOf } from './processName';

/**
 * The browser sign-ins the prompt window shows: "continue in your browser", and for device
 * authorization the code to compare with the page's. One on screen at a time, the others queued.
 * It is the app's IAM Identity Center presenter, so a sign-in the agent starts for a program (an
 * SSO profile with no token) shows here too, naming that program; the window's Sign in buttons and
 * `keytray login` from the window come through `begin` directly.
 *
 * The page's URL carries the OAuth state, so it stays here in main: the window asks for the page
 * to be opened again (`reopen`), it is never sent the URL. A view is removed when its sign-in ends,
 * whatever the outcome, and Cancel aborts the sign-in's signal, which ends its wait at once.
 */

export interface SignInStart {
  service: BrowserSignInView['service'];
  /** The sso-session name (or start URL for the legacy form), or the login profile. */
  target: string;
  mode: BrowserSignInView['mode'];
  startedAt: number;
  expiresAt: number;
  origin?: SignInOrigin;
}

interface Pending {
  view: Omit<BrowserSignInView, 'queued'>;
  controller: AbortController;
  /** The page the browser was sent to; reopened on request, never shown. */
  url?: string;
}

export class BrowserSignInBroker {
  private readonly queue: Pending[] = [];

  constructor(
    private readonly host: PromptWindowHost,
    private readonly options: { openUrl: UrlOpener; onChange?: () => void },
  ) {}

  /** IAM Identity Center's presenter: every SSO sign-in of this process, whoever started it. */
  readonly ssoPresenter: SignInPresenter = {
    begin: (session, start) =>
      this.begin({
        service: 'IAM Identity Center',
        target: session.name ?? session.startUrl,
        mode: start.flow === 'device_code' ? 'device' : 'browser',
        startedAt: start.startedAt,
        expiresAt: start.expiresAt,
        origin: start.origin,
      }),
  };

  begin(start: SignInStart): SignInPresentation {
    const requester = start.origin?.requester;
    const pending: Pending = {
      view: {
        id: randomUUID(),
        service: start.service,
        target: start.target,
        mode: start.mode,
        requestedProfile: start.origin?.requestedProfile,
        requester: requester && { pid: requester.pid, command: requester.command, name: processNameOf(requester.command) },
        startedAt: start.startedAt,
        expiresAt: start.expiresAt,
      },
      controller: new AbortController(),
    };
    this.queue.push(pending);
    this.changed();
    let ended = false;
    return {
      signal: pending.controller.signal,
      browserOpening: (url) => {
        pending.url = url;
      },
      deviceCode: (info: DeviceCodeInfo) => {
        pending.url = info.verificationUriComplete ?? info.verificationUri;
        // The page without the code: the person types the code there, after comparing it.
        pending.view = { ...pending.view, mode: 'device', userCode: info.userCode, verificationUri: info.verificationUri, expiresAt: info.expiresAt };
        this.changed();
      },
      end: () => {
        if (ended) return;
        ended = true;
        const index = this.queue.indexOf(pending);
        if (index < 0) return;
        this.queue.splice(index, 1);
        this.changed();
      },
    };
  }

  current(): BrowserSignInView | null {
    const head = this.queue[0];
    return head ? { ...head.view, queued: this.queue.length - 1 } : null;
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  /** The window's Cancel: the sign-in's wait ends within a moment with the line its caller reads. */
  cancel(id: string): boolean {
    const pending = this.queue.find((p) => p.view.id === id);
    if (!pending) return false;
    this.abort(pending, cancelledInWindow(pending.view));
    return true;
  }

  /** Opens the sign-in page again (the person closed the tab); false when there is none yet or the sign-in is gone. */
  async reopen(id: string): Promise<boolean> {
    const pending = this.queue.find((p) => p.view.id === id);
    if (!pending?.url) return false;
    try {
      await this.options.openUrl(pending.url);
    } catch (err) {
      // Said as the opener words it ("Could not open a browser (…). Set BROWSER …"), never with the URL.
      throw asKeytrayError(err);
    }
    return true;
  }

  /** Lock, quit, or the prompt window closed: nobody is left waiting on a browser for a window that is gone. */
  cancelAll(reason: string): void {
    for (const pending of [...this.queue]) {
      this.abort(pending, new KeytrayError('signin-cancelled', `${describeSignIn(pending.view)} was cancelled: ${reason}`, { hint: 'Sign in again when you are ready.' }));
    }
  }

  /** The reason reaches the sign-in's caller; the view goes when the sign-in's `end` runs. */
  private abort(pending: Pending, reason: KeytrayError): void {
    if (pending.controller.signal.aborted) return;
    pending.controller.abort(reason);
  }

  private changed(): void {
    if (this.queue.length > 0) this.host.show();
    else this.host.hide();
    this.options.onChange?.();
  }
}

/** "The sign-in to IAM Identity Center session "corp"", "The sign-in of profile "web" with AWS Sign-In". */
function describeSignIn(view: Pick<BrowserSignInView, 'service' | 'target'>): string {
  if (view.service === 'AWS Sign-In') return `The sign-in of profile "${view.target}" with AWS Sign-In`;
  return /^https?:/.test(view.target) ? `The sign-in to IAM Identity Center at ${view.target}` : `The sign-in to IAM Identity Center session "${view.target}"`;
}

function cancelledInWindow(view: Omit<BrowserSignInView, 'queued'>): KeytrayError {
  const again = view.service === 'AWS Sign-In' ? `keytray login ${view.target}` : /^https?:/.test(view.target) ? 'keytray sso login' : `keytray sso login ${view.target}`;
  return new KeytrayError('signin-cancelled', `${describeSignIn(view)} was cancelled in the Keytray window`, {
    profile: view.requestedProfile,
    hint: `Sign in again from the window or the tray, or run \`${again}\`.`,
  });
}
