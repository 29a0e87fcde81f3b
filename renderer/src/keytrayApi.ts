import type { Channel, IpcError, KeytrayApi, RequestOf, ResponseOf } from '../../electron/ipc/contract';

/**
 * The renderer's only door to the app: `window.keytray`, put there by the preload in Electron and
 * by the dev:web bridge in a browser. Types come from the IPC contract; nothing else from electron/.
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

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** "42 min left", "7 h 5 min left", "expired"; the tray says the same (trayTemplate.describeTimeLeft). */
export function describeTimeLeft(seconds: number | null): string {
  if (seconds === null) return 'no session';
  if (seconds <= 0) return 'expired';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return 'under a minute left';
  if (minutes < 60) return `${minutes} min left`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h left` : `${h} h ${m} min left`;
}

export type { ActivityEntry, FieldErrors, ImportCandidate, MfaNeeded, ProfileDetails, ProfileList, ProfileRow, PromptView, Settings } from '../../electron/ipc/contract';
