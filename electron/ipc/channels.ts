/**
 * The names of every IPC channel, and nothing else. Kept apart from `contract.ts` (which pulls in
 * zod) because the sandboxed preload bundles this list and should stay a few hundred bytes.
 */
export const CHANNELS = [
  'profiles.list',
  'profiles.details',
  'profiles.validate',
  'profiles.addUser',
  'profiles.saveUser',
  'profiles.saveRole',
  'profiles.makeActive',
  'sessions.start',
  'sessions.end',
  'sessions.lock',
  'env.copy',
  'console.open',
  'import.scan',
  'import.apply',
  'settings.get',
  'settings.set',
  'setup.toggle',
  'setup.bulk',
  'profiles.pin',
  'profiles.remove',
  'keys.check',
  'keys.rotate',
  'cli.install',
  'activity.list',
  'prompt.current',
  'prompt.answer',
  'prompt.cancel',
] as const;

export type Channel = (typeof CHANNELS)[number];

/** Electron channel names are namespaced so nothing else registered on ipcMain can collide. */
export const IPC_PREFIX = 'keytray:';

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && (CHANNELS as readonly string[]).includes(name);
}
