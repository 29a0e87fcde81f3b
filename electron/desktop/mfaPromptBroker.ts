import { randomUUID } from 'node:crypto';
import { KeytrayError } from '../core/errors';
import { normaliseMfaCode, type MfaCodeRequest } from '../core/mfa/mfaCodeSources';
import type { MfaConversationOutcome, PersonMfaPrompter } from '../core/mfa/mfaRetry';
import type { ActivityLog } from './activityLog';
import type { PromptAnswer, PromptView } from '../ipc/contract';
import { processNameOf } from './processName';

/** The prompt window as the broker drives it; Electron's BrowserWindow in the app, a fake in tests. */
export interface PromptWindowHost {
  /** Show (or refresh and focus) the window: the request at the head of the queue changed. */
  show(): void;
  hide(): void;
}

interface Pending {
  view: Omit<PromptView, 'queued'>;
  /** Set while the request waits for a code; cleared once one is handed over. */
  waiter: { resolve(code: string): void; reject(err: Error): void } | null;
  /** The window's "Send code" call, answered once AWS has judged the code. */
  answered: ((answer: PromptAnswer) => void) | null;
  timer: ReturnType<typeof setTimeout>;
  /** Asked inside a conversation, whose runner reports how the request ended. */
  tracked: boolean;
}

export const PROMPT_TIMEOUT_MS = 120_000;

/** What the window shows besides the request itself: the role and account the code unlocks. */
export type ProfileFacts = (profile: string) => { roleArn?: string; account?: string };

/**
 * Turns the agent's "I need an MFA code" into the prompt window: one request on screen at a time,
 * the others queued, each showing which process asked. A code goes to the waiting request and the
 * request stays on screen, "checking", until AWS has judged it: a refused code brings the same
 * request back with STS's reason, so the program that asked keeps waiting for the next code rather
 * than failing. Cancelling, closing the window or the deadline give the requester a clear
 * "MFA cancelled" error instead of a hang. Single flight in core already means concurrent requests
 * for one profile produce one prompt.
 */
export class MfaPromptBroker implements PersonMfaPrompter {
  private readonly queue: Pending[] = [];

  constructor(
    private readonly host: PromptWindowHost,
    private readonly options: { activity?: ActivityLog; now?: () => number; timeoutMs?: number; onChange?: () => void; facts?: ProfileFacts } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The agent's prompter. */
  readonly prompter = (request: MfaCodeRequest): Promise<string> => this.ask(request);

  ask(request: MfaCodeRequest): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const again = request.conversation && this.queue.find((p) => p.view.id === request.conversation!.id);
      if (again) {
        // The same request, back because STS refused the last code: it keeps its place and deadline.
        again.waiter = { resolve, reject };
        again.view = { ...again.view, state: 'waiting', error: request.conversation!.rejectedBecause };
        again.answered?.({ result: 'rejected', message: request.conversation!.rejectedBecause ?? 'AWS refused the code.' });
        again.answered = null;
        this.options.activity?.record({
          kind: 'mfa-rejected',
          outcome: 'failed',
          profile: request.profile,
          requester: request.requester,
          summary: `STS refused the MFA code typed for "${request.profile}"; asked for the next one.`,
        });
        this.changed();
        return;
      }
      const id = request.conversation?.id ?? randomUUID();
      const requestedAt = request.conversation?.firstAskedAt ?? this.now();
      const timeoutMs = this.options.timeoutMs ?? PROMPT_TIMEOUT_MS;
      const timer = setTimeout(() => this.expire(id, request.profile, timeoutMs), Math.max(0, requestedAt + timeoutMs - this.now()));
      timer.unref?.();
      const target = request.requestedProfile ?? request.profile;
      const facts = this.options.facts?.(target) ?? {};
      this.queue.push({
        view: {
          id,
          profile: request.profile,
          requestedProfile: request.requestedProfile !== request.profile ? request.requestedProfile : undefined,
          roleArn: facts.roleArn,
          account: facts.account,
          serial: request.serial,
          requester: request.requester && { pid: request.requester.pid, command: request.requester.command, name: processNameOf(request.requester.command) },
          requestedAt,
          expiresAt: requestedAt + timeoutMs,
          state: 'waiting',
          error: request.conversation?.rejectedBecause,
        },
        waiter: { resolve, reject },
        answered: null,
        timer,
        tracked: !!request.conversation,
      });
      this.options.activity?.record({
        kind: 'mfa-prompt',
        profile: request.profile,
        requester: request.requester,
        summary: `Asked for an MFA code for "${request.profile}" (${request.serial}).`,
      });
      this.changed();
    });
  }

  /** How the request behind a prompt ended; the window's pending "Send code" learns it here. */
  finished(conversationId: string, outcome: MfaConversationOutcome): void {
    const index = this.queue.findIndex((p) => p.view.id === conversationId);
    if (index < 0) return;
    const [pending] = this.queue.splice(index, 1);
    clearTimeout(pending.timer);
    pending.answered?.(outcome.ok ? { result: 'served' } : { result: 'failed', message: outcome.message });
    this.changed();
  }

  current(): PromptView | null {
    const head = this.queue[0];
    return head ? { ...head.view, queued: this.queue.length - 1 } : null;
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  /**
   * Hands the code to the waiting request and answers once AWS has judged it. Throws a form-style
   * error for a code that is not 6 digits. A request asked without a conversation (nobody will say
   * how it ended) is answered as soon as the code is handed over.
   */
  answer(id: string, code: string): Promise<PromptAnswer> {
    const pending = this.queue.find((p) => p.view.id === id);
    if (!pending || !pending.waiter) return Promise.resolve({ result: 'gone' });
    const normalised = normaliseMfaCode(code, pending.view.profile);
    const waiter = pending.waiter;
    pending.waiter = null;
    if (!pending.tracked) {
      this.remove(pending);
      waiter.resolve(normalised);
      return Promise.resolve({ result: 'handed-over' });
    }
    pending.view = { ...pending.view, state: 'checking', error: undefined };
    const outcome = new Promise<PromptAnswer>((resolve) => (pending.answered = resolve));
    waiter.resolve(normalised);
    this.changed();
    return outcome;
  }

  /** The Cancel button: only the request on screen; the next one takes its place. */
  cancel(id: string): boolean {
    const pending = this.queue.find((p) => p.view.id === id);
    if (!pending) return false;
    this.remove(pending);
    pending.waiter?.reject(this.logCancelInWindow(pending));
    pending.answered?.({ result: 'failed', message: 'Cancelled.' });
    this.changed();
    return true;
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

  private expire(id: string, profile: string, timeoutMs: number): void {
    const pending = this.queue.find((p) => p.view.id === id);
    if (!pending) return;
    this.remove(pending);
    const minutes = Math.round(timeoutMs / 60_000);
    const error = new KeytrayError('mfa-cancelled', `MFA cancelled: no code was accepted in the Keytray window within ${minutes} minute${minutes === 1 ? '' : 's'}`, { profile });
    pending.waiter?.reject(error);
    pending.answered?.({ result: 'failed', message: error.toLine() });
    this.changed();
  }

  /** Logs a cancel from the window and returns the error its requester reads. */
  private logCancelInWindow(pending: Pending): KeytrayError {
    this.options.activity?.record({
      kind: 'mfa-cancelled',
      outcome: 'refused',
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
      const error = errorFor(p);
      p.waiter?.reject(error);
      p.answered?.({ result: 'failed', message: error.message });
    }
    this.changed();
  }

  private remove(pending: Pending): void {
    const index = this.queue.indexOf(pending);
    if (index >= 0) this.queue.splice(index, 1);
    clearTimeout(pending.timer);
  }

  private changed(): void {
    if (this.queue.length > 0) this.host.show();
    else this.host.hide();
    this.options.onChange?.();
  }
}
