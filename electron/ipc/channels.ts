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
  'sso.signIn',
  'sso.signOut',
  'sso.populate',
  'login.signIn',
  'login.signOut',
  'signin.current',
  'signin.cancel',
  'signin.reopen',
  'app.support',
  'app.quit',
] as const;

export type Channel = (typeof CHANNELS)[number];

/** Electron channel names are namespaced so nothing else registered on ipcMain can collide. */
export const IPC_PREFIX = 'keytray:';

/**
 * Events the main process pushes to the app's windows (state, MFA prompts, browser sign-ins,
 * settings, activity), so a
 * window never polls. Their payload types are `PushEvents` in the contract.
 */
export const PUSH_EVENTS = ['state.changed', 'prompt.changed', 'signin.changed', 'settings.changed', 'activity.added'] as const;

export type PushEventName = (typeof PUSH_EVENTS)[number];

/** Pushes travel on their own prefix, so a push can never be mistaken for an invoke reply channel. */
export const PUSH_PREFIX = 'keytray-push:';

export function isPushEvent(name: unknown): name is PushEventName {
  return typeof name === 'string' && (PUSH_EVENTS as readonly string[]).includes(name);
}

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && (CHANNELS as readonly string[]).includes(name);
}
