/**
 * The preload: one frozen API object on `window.keytray`, nothing else. It forwards calls on the
 * contract's channels and refuses any other name, so a compromised page cannot reach an ipcMain
 * listener the contract does not declare. Main validates sender and payload again regardless.
 *
 * Sandboxed preloads cannot require local files, so renderer/build.mjs bundles this with the
 * channel list into one file.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_PREFIX, isChannel } from '../ipc/channels';
import type { KeytrayApi } from '../ipc/contract';

const api: KeytrayApi = Object.freeze({
  invoke: ((channel: string, request: unknown) => {
    if (!isChannel(channel)) return Promise.resolve({ ok: false, error: { code: 'ipc-invalid', message: 'Unknown IPC channel' } });
    return ipcRenderer.invoke(IPC_PREFIX + channel, request);
  }) as KeytrayApi['invoke'],
});

contextBridge.exposeInMainWorld('keytray', api);

/** The renderer's `window.keytray` type is this object's type (see renderer/src/keytrayApi.ts). */
export type PreloadApi = typeof api;
