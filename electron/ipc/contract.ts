/**
 * The single IPC contract between the renderer and the main process: for every channel, the schema
 * its request must pass at the door and the type of what comes back. The preload, the main-process
 * handler table, the dev:web bridge and the renderer all derive their types from this file, so they
 * cannot drift apart.
 *
 * Two rules the types encode:
 * - Nothing secret flows main -> renderer. Responses carry metadata only (masked key hints, times
 *   left, ARNs). The one secret that crosses at all is a secret access key typed into the "add key"
 *   form, renderer -> main, once.
 * - Errors cross as values (`{ ok: false, error }`): Electron keeps only the message of a thrown
 *   error, and the renderer needs the code to react (e.g. show the MFA code field).
 *
 * This file must stay free of Node and Electron imports: the renderer's tsconfig (DOM, no Node
 * types) type-checks it, and the core modules it takes from are import-free for the same reason.
 */
import type { ActivityEntry } from '../core/activity/activityShape';
import { ENV_FORMATS } from '../core/export/envFormats';
import type { ProfileStatus } from '../core/profileStatusShape';
import { z } from 'zod';
import type { Channel, PushEventName } from './channels';

export { CHANNELS, IPC_PREFIX, PUSH_EVENTS, PUSH_PREFIX, isChannel, isPushEvent, type Channel } from './channels';
export type { ActivityEntry, ActivityOutcome } from '../core/activity/activityShape';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** Loose shape check only; core's validateProfileName gives the user-facing message. */
const profileName = z.string().min(1).max(128);
const optionalText = z.string().max(2048).optional();
const mfaCode = z
  .string()
  .regex(/^\s*\d{3}\s*\d{3}\s*$/, 'The MFA code must be 6 digits')
  .optional();


/**
 * What each form field is called in a message, so a limit in the schemas below reaches the user as
 * "The profile name can be at most 128 characters." under that field, never as schema text.
 */
export const FIELD_LABELS: Record<string, string> = {
  profile: 'The profile name',
  accessKeyId: 'The access key ID',
  secretAccessKey: 'The secret access key',
  region: 'The region',
  mfaSerial: 'The MFA device ARN',
  mfaProcess: 'The MFA code command',
  roleArn: 'The role ARN',
  sourceProfile: 'The source profile',
  externalId: 'The external ID',
  roleSessionName: 'The session name',
  durationSeconds: 'The duration',
  mfaCode: 'The MFA code',
  code: 'The MFA code',
  fields: 'This field',
};

// ---------------------------------------------------------------------------------------------
// Request schemas, one per channel

const empty = z.strictObject({});

const userFields = {
  region: optionalText,
  mfaSerial: optionalText,
  mfaProcess: optionalText,
};

const roleFields = {
  roleArn: z.string().max(2048),
  sourceProfile: z.string().max(128),
  mfaSerial: optionalText,
  externalId: optionalText,
  roleSessionName: optionalText,
  /** Text as typed, so the renderer can send what the user wrote and get the validation message back. */
  durationSeconds: optionalText,
  region: optionalText,
};

export const requestSchemas = {
  'profiles.list': empty,
  'profiles.details': z.strictObject({ profile: profileName }),
  'profiles.validate': z.strictObject({
    form: z.enum(['user', 'role']),
    isNew: z.boolean(),
    profile: z.string().max(128),
    fields: z.record(z.string(), z.string().max(2048)),
  }),
  'profiles.addUser': z.strictObject({
    profile: profileName,
    accessKeyId: z.string().min(1).max(128),
    // The one secret the renderer ever holds: typed by the user, sent here once, then cleared.
    secretAccessKey: z.string().min(1).max(256),
    /** Set after the user confirmed replacing the stored key ('key-replace-unconfirmed' asked). */
    replace: z.boolean().optional(),
    ...userFields,
  }),
  'profiles.saveUser': z.strictObject({ profile: profileName, ...userFields }),
  'profiles.saveRole': z.strictObject({ profile: profileName, isNew: z.boolean(), ...roleFields }),
  'profiles.makeActive': z.strictObject({ profile: profileName.nullable() }),
  'sessions.start': z.strictObject({ profile: profileName, mfaCode }),
  'sessions.end': z.strictObject({ profile: profileName }),
  'sessions.lock': empty,
  // Without a format, main picks the platform's shell (PowerShell on Windows), as `keytray env` does.
  'env.copy': z.strictObject({ profile: profileName, format: z.enum(ENV_FORMATS).optional(), mfaCode }),
  'console.open': z.strictObject({ profile: profileName, mfaCode }),
  'import.scan': empty,
  'import.apply': z.strictObject({
    candidates: z.array(z.string().max(512)).min(1).max(1000),
    removePlaintext: z.boolean(),
  }),
  'settings.get': empty,
  'settings.set': z.strictObject({
    mfaSessionSeconds: z.number().int().min(900).max(129600).optional(),
    lockOnSleep: z.boolean().optional(),
    lockOnScreenLock: z.boolean().optional(),
    startAtLogin: z.boolean().optional(),
  }),
  'setup.toggle': z.strictObject({ profile: profileName, enabled: z.boolean() }),
  'setup.bulk': z.strictObject({ profiles: z.array(profileName).min(1).max(5000), enabled: z.boolean() }),
  'profiles.pin': z.strictObject({ profile: profileName, pinned: z.boolean() }),
  'profiles.remove': z.strictObject({ profile: profileName }),
  'keys.check': z.strictObject({ profile: profileName }),
  'keys.rotate': z.strictObject({ profile: profileName, mfaCode }),
  'cli.install': empty,
  'activity.list': empty,
  'prompt.current': empty,
  'prompt.answer': z.strictObject({ id: z.string().max(64), code: z.string().max(16) }),
  'prompt.cancel': z.strictObject({ id: z.string().max(64) }),
  // IAM Identity Center: `session` is an [sso-session NAME]. `deviceCode` asks for device
  // authorization (a code to confirm on any device) instead of the browser on this computer.
  'sso.signIn': z.strictObject({ session: z.string().min(1).max(128), deviceCode: z.boolean().optional() }),
  'sso.signOut': z.strictObject({ session: z.string().min(1).max(128) }),
  // `keytray sso populate`: a profile per account and role; `prune` removes those no longer assigned.
  'sso.populate': z.strictObject({
    session: z.string().min(1).max(128),
    prefix: z.string().max(64).optional(),
    dryRun: z.boolean().optional(),
    prune: z.boolean().optional(),
  }),
  // AWS Sign-In (`keytray login`): the same-device flow in the browser; `region` as `--region`.
  'login.signIn': z.strictObject({ profile: profileName, region: optionalText }),
  'login.signOut': z.strictObject({ profile: profileName }),
  'signin.current': empty,
  'signin.cancel': z.strictObject({ id: z.string().max(64) }),
  /** Opens the sign-in page again (the browser was closed); the URL itself never reaches the renderer. */
  'signin.reopen': z.strictObject({ id: z.string().max(64) }),
  'app.support': empty,
  'app.quit': empty,
} satisfies Record<Channel, z.ZodType>;

export type RequestOf<C extends Channel> = z.input<(typeof requestSchemas)[C]>;

// ---------------------------------------------------------------------------------------------
// Response types

/** A profile as the renderer and the tray see it: core's status (metadata only) plus its place in the list. */
export interface ProfileRow extends ProfileStatus {
  /** The user profile at the end of the source chain: the tray and the list group by it. */
  group: string;
  active: boolean;
  /** Pinned by the user: listed first in the window and at the top of the tray. */
  pinned: boolean;
  /** Epoch ms the profile was last made active or given a session from the app; recent ones come first. */
  lastUsedAt?: number;
  /** The session's full length when known (its duration setting), for the time-left bar. */
  sessionSecondsTotal?: number;
  /** The session's time left as the window words it ("7 h 5 min left", "no session"), as of `builtAt`. */
  timeLeftText: string;
  /**
   * IAM Identity Center profiles (and roles assumed from one): the account's name as ListAccounts
   * gives it, when Keytray has seen it (a sign-in or `sso populate` from this machine). SSO
   * profiles are grouped by it (`group` is the account name, or the account ID when unknown).
   */
  accountName?: string;
  /** Login profiles: the principal that signed in (`keytray_login_session`), e.g. arn:aws:iam::111111111111:user/alice. */
  loginPrincipal?: string;
  /** Login profiles: the 12-hour sign-in session as the window words it ("11 h 2 min left", "not signed in"). */
  signInTimeLeftText?: string;
}

/** An [sso-session] of the config as the window and the tray show it. Metadata only. */
export interface SsoSessionRow {
  /** The sso-session name, as `keytray sso login NAME` takes it. */
  name: string;
  startUrl?: string;
  region?: string;
  /** Seconds the access token had left when the list was built; null when not signed in. */
  secondsLeft: number | null;
  /** A refresh token is kept: the session renews itself until IAM Identity Center ends it. */
  renews: boolean;
  /** "7 h 5 min left", "signed out", as of the list's `builtAt`. */
  timeLeftText: string;
  /** The profiles that sign in through this session, in config order. */
  profiles: string[];
  /** A section Keytray cannot use (no sso_region, …), as the line the user reads; Sign in is then refused. */
  problem?: string;
}

export interface ProfileList {
  profiles: ProfileRow[];
  active: string | null;
  configFile: string;
  /** Epoch ms when the list was built; the renderer counts time left down from here. */
  builtAt: number;
  /** A config file that cannot be read: the list is then what the keychain alone knows. */
  configError?: string;
  /** The config's IAM Identity Center sessions, in file order. */
  ssoSessions: SsoSessionRow[];
}

/** The editable, non-secret settings of a profile as they are in the config file. */
export interface ProfileDetails {
  profile: string;
  kind: 'user' | 'role' | 'sso' | 'login';
  fields: Record<string, string>;
  managedByKeytray: boolean;
  hasKey: boolean;
  accessKeyIdHint?: string;
}

export type FieldErrors = Record<string, string>;

/** When an operation needs an MFA code that the user has not typed yet. */
export interface MfaNeeded {
  status: 'mfa-needed';
  profile: string;
  serial: string;
}

export type SessionStarted = { status: 'started'; profile: string; secondsLeft: number | null; timeLeftText: string } | MfaNeeded;
export type EnvCopied = { status: 'copied'; profile: string; clearsAfterSeconds: number } | MfaNeeded;
export type ConsoleOpened = { status: 'opened'; profile: string } | MfaNeeded;

export interface ImportCandidate {
  /** Opaque id for import.apply: file + section. */
  id: string;
  profile: string;
  file: string;
  accessKeyIdHint: string;
  alreadyStored: boolean;
  /** Why it cannot be imported (a temporary session key), if so. */
  skippedReason?: string;
}

export interface ImportResult {
  imported: string[];
  removedFrom: string[];
}

export interface Settings {
  mfaSessionSeconds: number;
  lockOnSleep: boolean;
  lockOnScreenLock: boolean;
  startAtLogin: boolean;
}


/** What the MFA prompt window shows. */
export interface PromptView {
  id: string;
  profile: string;
  /** The profile the tool asked for, when it differs (a role assumed through `profile`). */
  requestedProfile?: string;
  /** The role the code unlocks and its account, when the requested profile is a role. */
  roleArn?: string;
  account?: string;
  serial: string;
  /** `name` is what a person calls the program (`aws`, `terraform`), read from its command line. */
  requester?: { pid: number; command?: string; name?: string };
  requestedAt: number;
  /** When the request gives up if no code is accepted. */
  expiresAt: number;
  /** 'checking' while AWS judges the code just sent. */
  state: 'waiting' | 'checking';
  /** Why AWS refused the last code; the request is still open for the next one. */
  error?: string;
  /** How many more requests are queued behind this one. */
  queued: number;
}

/** What became of a code sent from the prompt window, known only once AWS has answered. */
export type PromptAnswer =
  | { result: 'served' }
  | { result: 'rejected'; message: string }
  | { result: 'failed'; message: string }
  /** Nobody reports how this request ends: the code was given to it, no more is known. */
  | { result: 'handed-over' }
  | { result: 'gone' };

/**
 * A browser sign-in in progress, as the prompt window shows it: "continue in your browser", and
 * for device authorization the code to compare with the one the page shows. Never a URL with a
 * state or a token in it: `signin.reopen` opens the page again from main.
 */
export interface BrowserSignInView {
  id: string;
  service: 'IAM Identity Center' | 'AWS Sign-In';
  /** The sso-session name, or the login profile. */
  target: string;
  /** The profile a program asked for, when a served request (not a Sign in button) started it. */
  requestedProfile?: string;
  requester?: { pid: number; command?: string; name?: string };
  /** 'browser': finish in the browser that was opened; 'device': enter `userCode` at `verificationUri`. */
  mode: 'browser' | 'device';
  /** Device authorization: the code the page must show, to compare before approving. */
  userCode?: string;
  /** Device authorization: where to enter the code (the page without the code in it). */
  verificationUri?: string;
  startedAt: number;
  /** When the sign-in gives up waiting for the browser. */
  expiresAt: number;
  /** How many more sign-ins wait behind this one. */
  queued: number;
}

/** What `sso.populate` did (or, with dryRun, would do) to the config. */
export interface SsoPopulateResult {
  session: string;
  configFile: string;
  dryRun: boolean;
  added: Array<{ profile: string; accountId: string; accountName: string; roleName: string }>;
  /** Assignments that already have a profile. */
  kept: number;
  /** Assignments with no profile whose natural name another profile has: a prefix avoids it. */
  nameTaken: Array<{ profile: string; accountId: string; accountName: string; roleName: string }>;
  /** Profiles of the session whose assignment is gone; `removed` says whether prune removed them. */
  gone: Array<{ profile: string; accountId: string; roleName: string }>;
  removed: boolean;
}

/** What checking a stored key found: whose key it is and how old. */
export interface KeyCheck {
  profile: string;
  accessKeyIdHint: string;
  account: string;
  /** The IAM user's ARN, from GetCallerIdentity. */
  arn: string;
  userName?: string;
  /** When IAM created the key, if ListAccessKeys was allowed. */
  createdAt?: number;
  storedAt?: number;
}

/** What this platform's desktop can do, so the window can say what a setting cannot do here. */
export interface AppSupport {
  platform: string;
  /** Whether a tray icon can show: 'missing' on GNOME without the AppIndicator extension. */
  trayHost: 'available' | 'missing' | 'unknown';
  /** Set when the tray cannot show: the window is then the only way to use and quit Keytray. */
  trayMessage?: string;
  /** Set when Chromium's sandbox is off (started with --no-sandbox): what that means and how to fix it. */
  sandboxMessage?: string;
  /** Per setting, why it does not (fully) work on this platform. */
  settingNotes: { lockOnScreenLock?: string; startAtLogin?: string };
}

export interface ResponseMap {
  'profiles.list': ProfileList;
  'profiles.details': ProfileDetails;
  'profiles.validate': FieldErrors;
  'profiles.addUser': { profile: string; accessKeyIdHint: string; addedSection: boolean; replaced: boolean };
  'profiles.saveUser': { profile: string };
  'profiles.saveRole': { profile: string };
  'profiles.makeActive': { active: string | null };
  'sessions.start': SessionStarted;
  'sessions.end': { cleared: string[] };
  'sessions.lock': { cleared: string[] };
  'env.copy': EnvCopied;
  'console.open': ConsoleOpened;
  'import.scan': { candidates: ImportCandidate[]; files: string[] };
  'import.apply': ImportResult;
  'settings.get': Settings;
  'settings.set': Settings;
  'setup.toggle': { profile: string; managedByKeytray: boolean };
  'setup.bulk': { changed: string[]; enabled: boolean };
  'profiles.pin': { profile: string; pinned: boolean };
  /** `forgotSignIn`: a login profile's AWS Sign-In session was forgotten too. */
  'profiles.remove': { profile: string; removedKey: boolean; forgotSignIn: boolean; clearedSessions: string[] };
  'keys.check': KeyCheck;
  'keys.rotate': { status: 'rotated'; profile: string; accessKeyIdHint: string; oldAccessKeyIdHint: string } | MfaNeeded;
  'cli.install': { path: string; message: string };
  'activity.list': { entries: ActivityEntry[] };
  'prompt.current': PromptView | null;
  'prompt.answer': PromptAnswer;
  'prompt.cancel': { cancelled: boolean };
  'sso.signIn': { status: 'signed-in'; session: string; secondsLeft: number; renews: boolean; timeLeftText: string };
  'sso.signOut': { session: string; hadToken: boolean; clearedProfiles: string[] };
  'sso.populate': SsoPopulateResult;
  'login.signIn': { status: 'signed-in'; profile: string; principal: string; region: string; signInSecondsLeft: number; addedSection: boolean };
  'login.signOut': { profile: string; hadSession: boolean; clearedSessions: string[] };
  'signin.current': BrowserSignInView | null;
  'signin.cancel': { cancelled: boolean };
  'signin.reopen': { opened: boolean };
  'app.support': AppSupport;
  'app.quit': { quitting: boolean };
}

export type ResponseOf<C extends Channel> = ResponseMap[C];

// ---------------------------------------------------------------------------------------------
// Pushed events: main -> window, never a secret

/**
 * What the main process tells the windows without being asked. A window loads the current state
 * once with `profiles.list` / `prompt.current` and then only listens.
 */
export interface PushEvents {
  /** The profile list changed (a session started or ended, a profile was saved, the keychain moved). */
  'state.changed': ProfileList;
  /** The MFA request at the head of the queue, or null when nobody waits for a code. */
  'prompt.changed': PromptView | null;
  /** The browser sign-in at the head of its queue, or null when none is waiting for the browser. */
  'signin.changed': BrowserSignInView | null;
  'settings.changed': Settings;
  'activity.added': ActivityEntry;
}

export type PushEvent = keyof PushEvents;

/** A host's way to send a pushed event to every window of the app. */
export type PushSink = <E extends PushEvent>(event: E, payload: PushEvents[E]) => void;

// channels.ts lists the events for the preload's bundle; these two lines keep it equal to PushEvents.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const pushEventsMatch: SameKeys<PushEvent, PushEventName> = true;
void pushEventsMatch;

// ---------------------------------------------------------------------------------------------
// Results and the API object

export interface IpcError {
  /** A KeytrayError code, or the door's own ipc-invalid / ipc-forbidden. */
  code: string;
  /** One plain line: what went wrong, for which profile, how to fix it. Never a secret. */
  message: string;
  /** Per-field messages for form errors, when the failure is about a form. */
  fields?: FieldErrors;
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/**
 * The object the preload exposes as `window.keytray` (and the dev:web bridge imitates). One generic
 * call, typed per channel, rather than one method per channel, so that adding a channel is a change
 * to this file and the handler table only.
 */
export interface KeytrayApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>>;
  /** Listens to a pushed event; returns the function that stops listening. */
  on<E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void): () => void;
}

