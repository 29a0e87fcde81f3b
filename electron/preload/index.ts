/**
 * The preload: one frozen API object on `window.keytray`, nothing else. It forwards calls on the
 * contract's channels and refuses any other name, so a compromised page cannot reach an ipcMain
 * listener the contract does not declare. Main validates sender and payload again regardless.
 * Pushed events reach the page as their payload only: Electron's event object (with `sender`)
 * never crosses the bridge.
 *
 * Sandboxed preloads cannot require local files, so renderer/build.mjs bundles this with the
 * channel list into one file.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_PREFIX, PUSH_PREFIX, isChannel, isPushEvent } from '../ipc/channels';
import type { KeytrayApi } from '../ipc/contract';

const api: KeytrayApi = Object.freeze({
  invoke: ((channel: string, request: unknown) => {
    if (!isChannel(channel)) return Promise.resolve({ ok: false, error: { code: 'ipc-invalid', message: 'Unknown IPC channel' } });
    return ipcRenderer.invoke(IPC_PREFIX + channel, request);
  }) as KeytrayApi['invoke'],
  on: ((event: string, listener: (payload: unknown) => void) => {
    if (!isPushEvent(event) || typeof listener !== 'function') return () => undefined;
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(PUSH_PREFIX + event, forward);
    return () => void ipcRenderer.removeListener(PUSH_PREFIX + event, forward);
  }) as KeytrayApi['on'],
});

contextBridge.exposeInMainWorld('keytray', api);
