import type { Channel, IpcError, KeytrayApi, PushEvent, PushEvents, RequestOf, ResponseOf } from '../../electron/ipc/contract';

/**
 * The renderer's only door to the app: `window.keytray`, put there by the preload in Electron and
 * by the dev:web bridge in a browser. Types come from the IPC contract, and
 * nothing else comes from electron/: the main process words what the window shows (a session's time
 * left reads the same in the tray and the window because both get it from electron/desktop).
 */
declare global {
  interface Window {
    keytray: KeytrayApi;
  }
}

export class ApiError extends Error {
  readonly code: string;
  readonly fields?: Record<string, string>;
  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
    this.fields = error.fields;
  }
}

export async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await window.keytray.invoke(channel, request);
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}

/**
 * Listens to what the main process pushes (state, prompts, settings, activity); returns the
 * unsubscribe function, which a React effect returns as its cleanup. Subscribe before loading the
 * current state, so a change between the two is not missed.
 */
export function subscribe<E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void): () => void {
  return window.keytray.on(event, listener);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * How a failed action reads where it was started: a sign-in the person cancelled (in the prompt
 * window, say) is their own choice, so it is said plainly rather than raised as an alert.
 */
export function outcomeOf(err: unknown): { kind: 'ok' | 'error'; text: string } {
  return { kind: err instanceof ApiError && err.code === 'signin-cancelled' ? 'ok' : 'error', text: messageOf(err) };
}

export type { ActivityEntry, ActivityOutcome, AppSupport, BrowserSignInView, SsoPopulateResult, SsoSessionRow, PushEvent, PushEvents, FieldErrors, KeyCheck, PromptAnswer, ImportCandidate, MfaNeeded, ProfileDetails, ProfileList, ProfileRow, PromptView, Settings } from '../../electron/ipc/contract';
