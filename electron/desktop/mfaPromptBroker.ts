import { randomUUID } from 'node:crypto';
import { KeytrayError } from '../core/errors';
import { normaliseMfaCode, type MfaCodeRequest } from '../core/mfa/mfaCodeSources';
import type { ActivityLog } from './activityLog';
import type { PromptView } from '../ipc/contract';

/** The prompt window as the broker drives it; Electron's BrowserWindow in the app, a fake in tests. */
export interface PromptWindowHost {
  /** Show (or refresh and focus) the window: the request at the head of the queue changed. */
  show(): void;
  hide(): void;
}

interface Pending {
  view: Omit<PromptView, 'queued'>;
  resolve(code: string): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export const PROMPT_TIMEOUT_MS = 120_000;

/**
 * Turns the agent's "I need an MFA code" into the prompt window: one request on screen at a time,
 * the others queued, each showing which process asked. The code goes straight back to the waiting
 * request; cancelling, closing the window or waiting too long gives the requester a clear
 * "MFA cancelled" error instead of a hang. Single flight in core already means concurrent requests
 * for one profile produce one prompt.
 */
export class MfaPromptBroker {
  private readonly queue: Pending[] = [];

  constructor(
    private readonly host: PromptWindowHost,
    private readonly options: { activity?: ActivityLog; now?: () => number; timeoutMs?: number; onChange?: () => void } = {},
  ) {}

  /** The agent's prompter. */
  readonly prompter = (request: MfaCodeRequest): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(
        () => this.settle(id, new KeytrayError('mfa-cancelled', 'MFA cancelled: no code was entered in the Keytray window within 2 minutes', { profile: request.profile })),
        this.options.timeoutMs ?? PROMPT_TIMEOUT_MS,
      );
      timer.unref?.();
      this.queue.push({
        view: {
          id,
          profile: request.profile,
          requestedProfile: request.requestedProfile !== request.profile ? request.requestedProfile : undefined,
          serial: request.serial,
          requester: request.requester && { pid: request.requester.pid, command: request.requester.command },
          requestedAt: (this.options.now ?? Date.now)(),
        },
        resolve,
        reject,
        timer,
      });
      this.options.activity?.record({
        kind: 'mfa-prompt',
        profile: request.profile,
        requester: request.requester,
        summary: `Asked for an MFA code for "${request.profile}" (${request.serial}).`,
      });
      this.changed();
    });

  current(): PromptView | null {
    const head = this.queue[0];
    return head ? { ...head.view, queued: this.queue.length - 1 } : null;
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  /** Hands the code to the waiting request. Throws a form-style error for a code that is not 6 digits. */
  answer(id: string, code: string): boolean {
    const pending = this.queue.find((p) => p.view.id === id);
    if (!pending) return false;
    const normalised = normaliseMfaCode(code, pending.view.profile);
    return this.settle(id, normalised);
  }

  /** The Cancel button: only the request on screen; the next one takes its place. */
  cancel(id: string): boolean {
    const pending = this.queue.find((p) => p.view.id === id);
    if (!pending) return false;
    return this.settle(id, this.logCancelInWindow(pending));
  }

  /**
   * The user closed the prompt window: every request is cancelled, not only the one on screen,
   * because the queued ones would otherwise wait out the timeout with no window to type into.
   */
  windowClosed(): void {
    this.rejectAll((p) => this.logCancelInWindow(p));
  }

  /** Lock and quit: nobody is left waiting on a window that will not come back. */
  cancelAll(reason: string): void {
    this.rejectAll((p) => new KeytrayError('mfa-cancelled', `MFA cancelled: ${reason}`, { profile: p.view.profile }));
  }

  /** Logs a cancel from the window and returns the error its requester reads. */
  private logCancelInWindow(pending: Pending): KeytrayError {
    this.options.activity?.record({
      kind: 'mfa-cancelled',
      profile: pending.view.profile,
      requester: pending.view.requester,
      summary: `MFA prompt for "${pending.view.profile}" was cancelled.`,
    });
    return new KeytrayError('mfa-cancelled', 'MFA cancelled in the Keytray window', { profile: pending.view.profile, hint: 'Run the command again and enter the code.' });
  }

  /** Empties the queue at once, so the window is hidden once rather than shown for each next request. */
  private rejectAll(errorFor: (pending: Pending) => Error): void {
    const all = this.queue.splice(0);
    if (all.length === 0) return;
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(errorFor(p));
    }
    this.changed();
  }

  private settle(id: string, outcome: string | Error): boolean {
    const index = this.queue.findIndex((p) => p.view.id === id);
    if (index < 0) return false;
    const [pending] = this.queue.splice(index, 1);
    clearTimeout(pending.timer);
    if (typeof outcome === 'string') pending.resolve(outcome);
    else pending.reject(outcome);
    this.changed();
    return true;
  }

  private changed(): void {
    if (this.queue.length > 0) this.host.show();
    else this.host.hide();
    this.options.onChange?.();
  }
}
