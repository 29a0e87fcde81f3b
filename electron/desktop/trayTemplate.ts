import type { MenuItemConstructorOptions } from 'electron';
import type { ProfileRow, SsoSessionRow } from '../ipc/contract';
import { TRAY_RECENT_COUNT } from './profileUsage';
import { describeTimeLeft } from './sessionTimeLeft';

/**
 * The tray menu as a pure function of state (docs/architecture.md, Desktop and agent), so it can be tested without Electron and
 * rebuilt from one place whenever anything changes. Items carry an `action` value instead of a
 * click callback; `toElectronTemplate` attaches the callbacks at the edge.
 */

export type TrayProfile = Pick<ProfileRow, 'name' | 'kind' | 'group' | 'sessionSecondsLeft' | 'hasKey' | 'account'> & Partial<Pick<ProfileRow, 'pinned' | 'lastUsedAt' | 'signInTimeLeftText'>>;

export type TraySsoSession = Pick<SsoSessionRow, 'name' | 'secondsLeft' | 'timeLeftText' | 'problem'>;

export interface TrayState {
  profiles: TrayProfile[];
  active: string | null;
  /** MFA codes the agent is waiting for; the menu offers to open the prompt. */
  pendingPrompts: number;
  /** Browser sign-ins waiting for the person; the menu offers to open the prompt window that shows them. */
  pendingSignIns?: number;
  /** The config's IAM Identity Center sessions, in file order. */
  ssoSessions?: TraySsoSession[];
  /** Set when the profile list could not be built (a malformed config, a locked keychain). */
  problem?: string;
}

export type TrayAction =
  | { type: 'make-active'; profile: string }
  /** One click: make active and start the session if it needs one. */
  | { type: 'activate'; profile: string }
  /** The expiry notification's Renew: a fresh session for a profile whose session is ending. */
  | { type: 'renew-session'; profile: string }
  | { type: 'start-session'; profile: string }
  | { type: 'end-session'; profile: string }
  | { type: 'copy-env'; profile: string }
  | { type: 'open-console'; profile: string }
  | { type: 'show-prompt' }
  /** IAM Identity Center: sign in to, sign out of, or write a profile per assignment of an sso-session. */
  | { type: 'sso-sign-in'; session: string }
  | { type: 'sso-sign-out'; session: string }
  | { type: 'sso-populate'; session: string }
  /** AWS Sign-In (`keytray login` / `logout`) for a login profile. */
  | { type: 'login-sign-in'; profile: string }
  | { type: 'login-sign-out'; profile: string }
  | { type: 'lock' }
  | { type: 'open-window' }
  | { type: 'quit' };

export interface TrayMenuItem {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  checked?: boolean;
  enabled?: boolean;
  submenu?: TrayMenuItem[];
  action?: TrayAction;
}

/** Up to this many profiles are listed inline under group headings; more go into group submenus. */
export const INLINE_PROFILE_LIMIT = 12;
/** A group longer than this is split into alphabetical ranges so no submenu runs off the screen. */
export const SUBMENU_CHUNK = 25;

export function buildTrayTemplate(state: TrayState): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  const active = state.active ? state.profiles.find((p) => p.name === state.active) : undefined;
  if (state.active) {
    const left = active ? describeTimeLeft(active.sessionSecondsLeft) : 'not in the config';
    items.push({ label: `Active: ${state.active}${left ? ` — ${left}` : ''}`, enabled: false });
  } else {
    items.push({ label: 'No active profile', enabled: false });
  }
  if (state.pendingPrompts > 0) {
    items.push({ label: `Enter MFA code… (${state.pendingPrompts} waiting)`, action: { type: 'show-prompt' } });
  }
  if (state.pendingSignIns) {
    items.push({ label: `Continue sign-in in the browser… (${state.pendingSignIns} waiting)`, action: { type: 'show-prompt' } });
  }
  if (state.problem) items.push({ label: truncate(state.problem, 80), enabled: false });
  items.push({ type: 'separator' });

  const sessions = state.ssoSessions ?? [];
  if (sessions.length > 0) {
    items.push({ label: 'IAM Identity Center', enabled: false });
    for (const s of sessions) items.push(ssoSessionItem(s));
    items.push({ type: 'separator' });
  }

  // Pinned and recent profiles are one click away: the click makes one active with its session.
  const quick = quickProfiles(state.profiles);
  if (quick.length > 0) {
    for (const p of quick) items.push(quickItem(p, state.active));
    items.push({ type: 'separator' });
  }

  if (state.profiles.length === 0) {
    items.push({ label: 'No profiles yet — add one in Keytray…', action: { type: 'open-window' } });
  } else {
    const groups = groupProfiles(state.profiles);
    if (state.profiles.length <= INLINE_PROFILE_LIMIT) {
      groups.forEach(([group, profiles], i) => {
        if (i > 0) items.push({ type: 'separator' });
        items.push({ label: groupLabel(group, profiles), enabled: false });
        for (const p of profiles) items.push(profileItem(p, state.active));
      });
    } else {
      const groupMenus: TrayMenuItem[] = groups.map(([group, profiles]) => ({
        label: `${groupLabel(group, profiles)} (${profiles.length})`,
        type: 'submenu',
        submenu: chunked(profiles, state.active),
      }));
      // Hundreds of users would still make a menu taller than the screen: past one chunk of
      // groups, the groups themselves go into alphabetical ranges.
      if (groupMenus.length <= SUBMENU_CHUNK) items.push(...groupMenus);
      else {
        for (let i = 0; i < groupMenus.length; i += SUBMENU_CHUNK) {
          const slice = groups.slice(i, i + SUBMENU_CHUNK);
          items.push({ label: `${slice[0][0]} – ${slice[slice.length - 1][0]}`, type: 'submenu', submenu: groupMenus.slice(i, i + SUBMENU_CHUNK) });
        }
      }
    }
  }

  const anyLive = state.profiles.some((p) => (p.sessionSecondsLeft ?? 0) > 0);
  items.push(
    { type: 'separator' },
    { label: 'Lock (end all sessions)', enabled: anyLive, action: { type: 'lock' } },
    { label: 'Open Keytray…', action: { type: 'open-window' } },
    { label: 'Quit Keytray', action: { type: 'quit' } },
  );
  return items;
}

/** Pinned profiles (by name), then the most recently used, up to TRAY_RECENT_COUNT of those. */
export function quickProfiles(profiles: TrayProfile[]): TrayProfile[] {
  const pinned = profiles.filter((p) => p.pinned).sort((a, b) => a.name.localeCompare(b.name));
  const recent = profiles
    .filter((p) => !p.pinned && p.lastUsedAt !== undefined)
    .sort((a, b) => (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0))
    .slice(0, TRAY_RECENT_COUNT);
  return [...pinned, ...recent];
}

/**
 * A user profile without a stored key can do nothing until one is added, nor a login profile
 * until someone signs in (`keytray login`): it has credentials exactly when signed in. Roles and
 * SSO profiles get their credentials elsewhere.
 */
function isUsable(p: TrayProfile): boolean {
  return p.kind === 'login' ? p.sessionSecondsLeft !== null : p.kind !== 'user' || p.hasKey;
}

function quickItem(p: TrayProfile, active: string | null): TrayMenuItem {
  const left = describeTimeLeft(p.sessionSecondsLeft);
  const usable = isUsable(p);
  return {
    label: `${p.pinned ? '★ ' : ''}${p.name}${left ? ` — ${left}` : ''}`,
    type: 'checkbox',
    checked: p.name === active,
    enabled: usable,
    action: { type: 'activate', profile: p.name },
  };
}

/** One line for the tray icon's tooltip. */
export function trayTooltip(state: TrayState): string {
  if (!state.active) return 'Keytray — no active profile';
  const p = state.profiles.find((x) => x.name === state.active);
  const left = p ? describeTimeLeft(p.sessionSecondsLeft) : '';
  return `Keytray — ${state.active}${left ? `, ${left}` : ''}`;
}

/** Groups by the user profile at the end of each chain; the user itself first, then its roles. */
function groupProfiles(profiles: TrayProfile[]): Array<[string, TrayProfile[]]> {
  const groups = new Map<string, TrayProfile[]>();
  for (const p of profiles) {
    const list = groups.get(p.group);
    if (list) list.push(p);
    else groups.set(p.group, [p]);
  }
  for (const [group, list] of groups) {
    list.sort((a, b) => Number(b.name === group) - Number(a.name === group) || a.name.localeCompare(b.name));
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function groupLabel(group: string, profiles: TrayProfile[]): string {
  const accounts = [...new Set(profiles.map((p) => p.account).filter((a): a is string => !!a))];
  // An SSO account whose name is not known yet is grouped under its ID: no need to say it twice.
  return accounts.length === 1 && accounts[0] !== group ? `${group} · ${accounts[0]}` : group;
}

function ssoSessionItem(s: TraySsoSession): TrayMenuItem {
  const signedIn = s.secondsLeft !== null;
  return {
    label: `${s.name} — ${s.problem ? 'cannot sign in' : s.timeLeftText}`,
    type: 'submenu',
    submenu: [
      ...(s.problem ? [{ label: truncate(s.problem, 80), enabled: false }, { type: 'separator' as const }] : []),
      { label: 'Sign in…', enabled: !s.problem, action: { type: 'sso-sign-in', session: s.name } },
      { label: 'Sign out', enabled: signedIn, action: { type: 'sso-sign-out', session: s.name } },
      { label: 'Add profiles for my accounts', enabled: !s.problem, action: { type: 'sso-populate', session: s.name } },
    ],
  };
}

function chunked(profiles: TrayProfile[], active: string | null): TrayMenuItem[] {
  if (profiles.length <= SUBMENU_CHUNK) return profiles.map((p) => profileItem(p, active));
  const out: TrayMenuItem[] = [];
  for (let i = 0; i < profiles.length; i += SUBMENU_CHUNK) {
    const slice = profiles.slice(i, i + SUBMENU_CHUNK);
    out.push({ label: `${slice[0].name} … ${slice[slice.length - 1].name}`, type: 'submenu', submenu: slice.map((p) => profileItem(p, active)) });
  }
  return out;
}

function profileItem(p: TrayProfile, active: string | null): TrayMenuItem {
  const isActive = p.name === active;
  const left = describeTimeLeft(p.sessionSecondsLeft);
  const live = (p.sessionSecondsLeft ?? 0) > 0;
  const usable = isUsable(p);
  return {
    label: `${isActive ? '✓ ' : ''}${p.name}${left ? ` — ${left}` : ''}`,
    type: 'submenu',
    submenu: [
      { label: 'Make active', type: 'checkbox', checked: isActive, action: { type: 'make-active', profile: p.name } },
      { type: 'separator' },
      // A login profile's credentials come from its AWS Sign-In session: signing in is how it starts.
      ...(p.kind === 'login'
        ? [
            { label: `Sign in…${p.signInTimeLeftText ? ` (${p.signInTimeLeftText})` : ''}`, action: { type: 'login-sign-in' as const, profile: p.name } },
            { label: 'Sign out', enabled: p.sessionSecondsLeft !== null, action: { type: 'login-sign-out' as const, profile: p.name } },
            { type: 'separator' as const },
          ]
        : []),
      live
        ? { label: 'End session', action: { type: 'end-session', profile: p.name } }
        : { label: 'Start session', enabled: usable, action: { type: 'start-session', profile: p.name } },
      { label: 'Copy env export', enabled: usable, action: { type: 'copy-env', profile: p.name } },
      // Sign-in credentials are refused by the federation endpoint; the browser that signed in has the console.
      { label: 'Open console', enabled: usable && p.kind !== 'login', action: { type: 'open-console', profile: p.name } },
    ],
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Attaches click handlers; the only place tray items meet Electron's menu type. */
export function toElectronTemplate(items: TrayMenuItem[], dispatch: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const out: MenuItemConstructorOptions = {};
    if (item.label !== undefined) out.label = item.label;
    if (item.type !== undefined) out.type = item.type;
    if (item.checked !== undefined) out.checked = item.checked;
    if (item.enabled !== undefined) out.enabled = item.enabled;
    if (item.submenu) out.submenu = toElectronTemplate(item.submenu, dispatch);
    const action = item.action;
    if (action) out.click = () => dispatch(action);
    return out;
  });
}
