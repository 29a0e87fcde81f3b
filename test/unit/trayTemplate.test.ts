import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  INLINE_PROFILE_LIMIT,
  SUBMENU_CHUNK,
  buildTrayTemplate,
  toElectronTemplate,
  trayTooltip,
  type TrayAction,
  type TrayMenuItem,
  type TrayProfile,
  type TrayState,
} from '../../electron/desktop/trayTemplate';
import { describeTimeLeft } from '../../electron/desktop/sessionTimeLeft';

const user = (name: string, extra: Partial<TrayProfile> = {}): TrayProfile => ({
  name,
  kind: 'user',
  group: name,
  sessionSecondsLeft: null,
  hasKey: true,
  account: '111111111111',
  ...extra,
});
const role = (name: string, group: string, extra: Partial<TrayProfile> = {}): TrayProfile => ({
  name,
  kind: 'role',
  group,
  sessionSecondsLeft: null,
  hasKey: false,
  account: '222222222222',
  ...extra,
});
const state = (profiles: TrayProfile[], extra: Partial<TrayState> = {}): TrayState => ({ profiles, active: null, pendingPrompts: 0, ...extra });

const labels = (items: TrayMenuItem[]) => items.filter((i) => i.type !== 'separator').map((i) => i.label);
const find = (items: TrayMenuItem[], label: RegExp): TrayMenuItem => {
  const hit = items.find((i) => i.label !== undefined && label.test(i.label));
  assert.ok(hit, `no item matching ${label} in ${JSON.stringify(labels(items))}`);
  return hit;
};
/** A profile's own submenu (not its group heading, nor the "Active:" line). */
const profileMenu = (items: TrayMenuItem[], name: string): TrayMenuItem => {
  const hit = walk(items).find((i) => i.type === 'submenu' && i.submenu?.some((s) => s.action?.type === 'make-active' && s.action.profile === name));
  assert.ok(hit, `no submenu for ${name}`);
  return hit;
};
/** Every item reachable in the menu, at any depth. */
const walk = (items: TrayMenuItem[]): TrayMenuItem[] => items.flatMap((i) => [i, ...walk(i.submenu ?? [])]);

describe('buildTrayTemplate', () => {
  it('with no profiles says so, offers to add one, and keeps Lock disabled', () => {
    const menu = buildTrayTemplate(state([]));
    assert.deepEqual(labels(menu), ['No active profile', 'No profiles yet — add one in Keytray…', 'Lock (end all sessions)', 'Open Keytray…', 'Quit Keytray']);
    assert.deepEqual(find(menu, /^No profiles yet/).action, { type: 'open-window' });
    assert.equal(find(menu, /^Lock/).enabled, false);
    assert.deepEqual(find(menu, /^Quit/).action, { type: 'quit' });
  });

  it('shows the active role and its time left at the top, marks it, and offers End session', () => {
    const menu = buildTrayTemplate(
      state([user('alice'), role('admin', 'alice', { sessionSecondsLeft: 42 * 60 + 5 }), role('readonly', 'alice')], { active: 'admin' }),
    );
    assert.equal(menu[0].label, 'Active: admin — 42 min left');
    assert.equal(menu[0].enabled, false);
    const admin = profileMenu(menu, 'admin');
    assert.equal(admin.label, '✓ admin — 42 min left');
    const makeActive = find(admin.submenu!, /^Make active$/);
    assert.equal(makeActive.checked, true);
    assert.deepEqual(find(admin.submenu!, /^End session$/).action, { type: 'end-session', profile: 'admin' });
    assert.deepEqual(find(admin.submenu!, /^Copy env export$/).action, { type: 'copy-env', profile: 'admin' });
    assert.deepEqual(find(admin.submenu!, /^Open console$/).action, { type: 'open-console', profile: 'admin' });
    // Not active, no session: can be made active, and started.
    const readonly = profileMenu(menu, 'readonly');
    assert.equal(readonly.label, 'readonly');
    assert.equal(find(readonly.submenu!, /^Make active$/).checked, false);
    assert.deepEqual(find(readonly.submenu!, /^Start session$/).action, { type: 'start-session', profile: 'readonly' });
    assert.equal(find(menu, /^Lock/).enabled, true);
    assert.equal(trayTooltip(state([role('admin', 'alice', { sessionSecondsLeft: 7200 })], { active: 'admin' })), 'Keytray — admin, 2 h left');
  });

  it('groups a few profiles inline under their source user with the account', () => {
    const menu = buildTrayTemplate(state([role('prod', 'bob'), user('bob'), user('alice'), role('dev', 'alice')]));
    // Groups sorted by name; within a group the user first, then its roles. A group whose
    // profiles all live in one account names it.
    assert.deepEqual(labels(menu).slice(1, 7), ['alice', 'alice', 'dev', 'bob', 'bob', 'prod']);
    assert.equal(menu[2].enabled, false, 'a group heading is not clickable');
    assert.equal(menu[3].type, 'submenu');
    const single = buildTrayTemplate(state([user('carol'), role('ops', 'carol', { account: '111111111111' })]));
    assert.equal(single[2].label, 'carol · 111111111111');
  });

  it('marks expired sessions and offers Start session again; Lock stays off when nothing is live', () => {
    const menu = buildTrayTemplate(state([user('alice', { sessionSecondsLeft: -30 }), role('admin', 'alice', { sessionSecondsLeft: 0 })], { active: 'admin' }));
    assert.equal(menu[0].label, 'Active: admin — expired');
    const alice = profileMenu(menu, 'alice');
    assert.equal(alice.label, 'alice — expired');
    assert.ok(find(alice.submenu!, /^Start session$/));
    assert.equal(find(menu, /^Lock/).enabled, false);
  });

  it('disables key actions for a user profile without a stored key', () => {
    const menu = buildTrayTemplate(state([user('nokey', { hasKey: false })]));
    const item = profileMenu(menu, 'nokey');
    assert.equal(find(item.submenu!, /^Start session$/).enabled, false);
    assert.equal(find(item.submenu!, /^Copy env export$/).enabled, false);
  });

  it('offers a login profile\'s actions once it is signed in, but not the console', () => {
    const login = (name: string, sessionSecondsLeft: number | null): TrayProfile => ({ ...user(name, { hasKey: false, sessionSecondsLeft }), kind: 'login' });
    const menu = buildTrayTemplate(state([login('web', 600), login('nobody', null)]));
    const signedIn = profileMenu(menu, 'web').submenu!;
    assert.notEqual(find(signedIn, /^Copy env export$/).enabled, false);
    assert.equal(find(signedIn, /^Open console$/).enabled, false);
    assert.equal(find(profileMenu(menu, 'nobody').submenu!, /^Start session$/).enabled, false);
  });

  it('offers the MFA prompt when codes are waiting, and reports a problem line', () => {
    const menu = buildTrayTemplate(state([user('alice')], { pendingPrompts: 2, problem: 'The keychain is locked.' }));
    assert.deepEqual(find(menu, /^Enter MFA code/).action, { type: 'show-prompt' });
    assert.ok(find(menu, /keychain is locked/));
  });

  it('keeps 200 profiles usable: one submenu per group, long groups split, every profile reachable once', () => {
    const profiles: TrayProfile[] = [];
    for (let u = 0; u < 4; u++) {
      const owner = `user${u}`;
      profiles.push(user(owner));
      for (let r = 0; r < 49; r++) profiles.push(role(`${owner}-role${String(r).padStart(2, '0')}`, owner, { sessionSecondsLeft: r % 3 === 0 ? 1800 : null }));
    }
    assert.equal(profiles.length, 200);
    const active = 'user2-role06';
    const menu = buildTrayTemplate(state(profiles, { active }));
    assert.ok(profiles.length > INLINE_PROFILE_LIMIT);
    const top = menu.filter((i) => i.type === 'submenu');
    assert.deepEqual(top.map((i) => i.label), ['user0 (50)', 'user1 (50)', 'user2 (50)', 'user3 (50)']);
    for (const group of top) {
      assert.ok(group.submenu!.length <= SUBMENU_CHUNK, `${group.label} has ${group.submenu!.length} entries`);
      for (const chunk of group.submenu!) assert.ok((chunk.submenu ?? []).length <= SUBMENU_CHUNK);
    }
    // Each profile appears exactly once, as a submenu holding its own Make active item.
    const makeActive = walk(menu).filter((i) => i.action?.type === 'make-active');
    assert.equal(makeActive.length, 200);
    assert.equal(new Set(makeActive.map((i) => (i.action as { profile: string }).profile)).size, 200);
    assert.equal(makeActive.filter((i) => i.checked).length, 1);
    assert.equal(menu[0].label, `Active: ${active} — 30 min left`);
  });

  it('keeps the menu short for 2,000 profiles (its build time is measured by npm run bench)', () => {
    const profiles: TrayProfile[] = [];
    for (let i = 0; i < 2000; i++) profiles.push(i % 10 === 0 ? user(`u${i}`) : role(`r${i}`, `u${i - (i % 10)}`, { sessionSecondsLeft: i }));
    const menu = buildTrayTemplate(state(profiles, { active: 'r55' }));
    assert.ok(menu.length < 40, `${menu.length} top-level items`);
    assert.equal(walk(menu).filter((i) => i.action?.type === 'make-active').length, 2000);
  });
});

describe('describeTimeLeft', () => {
  it('reads like a person would say it', () => {
    assert.equal(describeTimeLeft(null), '');
    assert.equal(describeTimeLeft(-1), 'expired');
    assert.equal(describeTimeLeft(30), 'under a minute left');
    assert.equal(describeTimeLeft(59 * 60 + 59), '59 min left');
    assert.equal(describeTimeLeft(3600), '1 h left');
    assert.equal(describeTimeLeft(8 * 3600 - 60), '7 h 59 min left');
  });

  it("says what the caller asks for with no session (the window's \"no session\"), and the same words otherwise", () => {
    assert.equal(describeTimeLeft(null, 'no session'), 'no session');
    assert.equal(describeTimeLeft(-1, 'no session'), 'expired');
    assert.equal(describeTimeLeft(3600 + 5 * 60, 'no session'), '1 h 5 min left');
  });
});

describe('toElectronTemplate', () => {
  it('turns actions into click handlers and keeps the structure', () => {
    const seen: TrayAction[] = [];
    const electron = toElectronTemplate(buildTrayTemplate(state([user('alice')], { active: 'alice' })), (a) => seen.push(a));
    const alice = electron.find((i) => typeof i.label === 'string' && i.label.startsWith('✓ alice'));
    assert.ok(alice && Array.isArray(alice.submenu));
    const start = (alice.submenu as Array<{ label?: string; click?: () => void }>).find((i) => i.label === 'Start session');
    start!.click!();
    electron.find((i) => i.label === 'Quit Keytray')!.click!({} as never, undefined, {} as never);
    assert.deepEqual(seen, [{ type: 'start-session', profile: 'alice' }, { type: 'quit' }]);
    assert.equal(electron.find((i) => i.type === 'separator')?.click, undefined);
  });
});

describe('the top of the tray: pinned and recent profiles, one click each', () => {
  const many = Array.from({ length: 2000 }, (_, i) => role(`role-${String(i).padStart(4, '0')}`, 'alice', { lastUsedAt: i < 8 ? 1_000 + i : undefined }));
  const profiles = [user('alice'), ...many, role('prod', 'alice', { pinned: true }), role('audit', 'alice', { pinned: true, lastUsedAt: 5 })];

  it('lists the pinned profiles, then the five most recent, as top-level items whose click activates', () => {
    const items = buildTrayTemplate(state(profiles, { active: 'role-0006' }));
    const quick = items.filter((i) => i.action?.type === 'activate');
    assert.deepEqual(
      quick.map((i) => i.label),
      ['★ audit', '★ prod', 'role-0007', 'role-0006', 'role-0005', 'role-0004', 'role-0003'],
    );
    for (const item of quick) {
      assert.equal(item.type, 'checkbox', 'a plain item: one click, not a submenu to open');
      assert.equal(item.submenu, undefined);
    }
    assert.equal(quick.find((i) => i.label === 'role-0006')?.checked, true, 'the active one is ticked');
    // The rest stay in the submenus, so 2,000 profiles still fit on a screen.
    assert.ok(items.length < 40, `${items.length} top-level items`);
  });

  it('shows the time left on a quick item and disables a user that has no key', () => {
    const items = buildTrayTemplate(state([user('bob', { hasKey: false, lastUsedAt: 2 }), role('ops', 'bob', { lastUsedAt: 1, sessionSecondsLeft: 42 * 60 })]));
    const quick = items.filter((i) => i.action?.type === 'activate');
    assert.deepEqual(quick.map((i) => [i.label, i.enabled]), [
      ['bob', false],
      ['ops — 42 min left', true],
    ]);
  });

  it('has no quick section when nothing is pinned or used yet', () => {
    const items = buildTrayTemplate(state([user('alice'), role('admin', 'alice')]));
    assert.equal(items.filter((i) => i.action?.type === 'activate').length, 0);
  });
});

describe('IAM Identity Center and AWS Sign-In in the tray', () => {
  const sso = (name: string, group: string, extra: Partial<TrayProfile> = {}): TrayProfile => ({ name, kind: 'sso', group, sessionSecondsLeft: null, hasKey: false, account: '210987654321', ...extra });

  it('lists each sso-session with its time left or "signed out", and a submenu to sign in, sign out and add profiles', () => {
    const items = buildTrayTemplate(
      state([sso('dev-Admin', 'dev')], {
        ssoSessions: [
          { name: 'corp', secondsLeft: 3000, timeLeftText: '50 min left' },
          { name: 'lab', secondsLeft: null, timeLeftText: 'signed out' },
        ],
      }),
    );
    const heading = items.findIndex((i) => i.label === 'IAM Identity Center');
    assert.ok(heading > 0);
    assert.equal(items[heading].enabled, false);
    const corp = find(items, /^corp — 50 min left$/);
    assert.deepEqual(
      corp.submenu?.map((i) => [i.label, i.enabled, i.action]),
      [
        ['Sign in…', true, { type: 'sso-sign-in', session: 'corp' }],
        ['Sign out', true, { type: 'sso-sign-out', session: 'corp' }],
        ['Add profiles for my accounts', true, { type: 'sso-populate', session: 'corp' }],
      ],
    );
    const lab = find(items, /^lab — signed out$/);
    assert.equal(lab.submenu?.find((i) => i.label === 'Sign out')?.enabled, false, 'nothing to sign out of');
    assert.equal(lab.submenu?.find((i) => i.label === 'Sign in…')?.enabled, true);
  });

  it('shows a session that cannot sign in with its problem and Sign in disabled', () => {
    const items = buildTrayTemplate(state([], { ssoSessions: [{ name: 'half', secondsLeft: null, timeLeftText: 'signed out', problem: '[sso-session half] in ~/.aws/config (line 5) has no sso_region. Add sso_region.' }] }));
    const half = find(items, /^half — cannot sign in$/);
    assert.match(half.submenu?.[0].label ?? '', /^\[sso-session half\] .* has no sso_region/);
    assert.equal(half.submenu?.[0].enabled, false);
    assert.deepEqual(half.submenu?.[1], { type: 'separator' });
    assert.equal(half.submenu?.find((i) => i.label === 'Sign in…')?.enabled, false);
    assert.equal(half.submenu?.find((i) => i.label === 'Add profiles for my accounts')?.enabled, false);
  });

  it('has no IAM Identity Center section without sso-sessions', () => {
    assert.ok(!labels(buildTrayTemplate(state([user('alice')]))).includes('IAM Identity Center'));
  });

  it('groups SSO profiles under the account name with its ID, and under the bare ID when the name is unknown', () => {
    const items = buildTrayTemplate(state([sso('dev-Admin', 'dev'), sso('x-Admin', '444444444444', { account: '444444444444' })]));
    find(items, /^dev · 210987654321$/);
    find(items, /^444444444444$/);
  });

  it("gives a login profile Sign in… with its sign-in's time left, and Sign out while signed in", () => {
    const signedIn = buildTrayTemplate(state([{ name: 'web', kind: 'login', group: 'web', sessionSecondsLeft: 800, hasKey: false, signInTimeLeftText: '11 h 40 min left' }]));
    const web = find(signedIn, /^web — 13 min left$/);
    assert.deepEqual(
      web.submenu?.filter((i) => i.label?.startsWith('Sign')).map((i) => [i.label, i.enabled ?? true, i.action]),
      [
        ['Sign in… (11 h 40 min left)', true, { type: 'login-sign-in', profile: 'web' }],
        ['Sign out', true, { type: 'login-sign-out', profile: 'web' }],
      ],
    );
    const signedOut = buildTrayTemplate(state([{ name: 'web', kind: 'login', group: 'web', sessionSecondsLeft: null, hasKey: false, signInTimeLeftText: 'not signed in' }]));
    const item = profileMenu(signedOut, 'web');
    assert.equal(item.submenu?.find((i) => i.label === 'Sign out')?.enabled, false);
    assert.equal(item.submenu?.find((i) => i.label?.startsWith('Sign in…'))?.label, 'Sign in… (not signed in)');
    assert.ok(!JSON.stringify(buildTrayTemplate(state([user('alice')]))).includes('login-sign-in'), 'only login profiles sign in');
  });

  it('offers the prompt window while a browser sign-in waits', () => {
    const items = buildTrayTemplate(state([], { pendingSignIns: 2 }));
    assert.deepEqual(find(items, /^Continue sign-in in the browser… \(2 waiting\)$/).action, { type: 'show-prompt' });
    assert.ok(!labels(buildTrayTemplate(state([]))).some((l) => l?.startsWith('Continue sign-in')));
  });
});

/**
 * The whole menu as the person sees it, item by item, and the limits where its shape changes. Found
 * by `npm run mutate tray-menu`: the tests above check parts of the menu, and 64 changes to the
 * template (a dropped separator, a lost action, the user no longer heading its group, Electron
 * losing a checkbox's state, a limit moved by one) went unnoticed.
 */
describe('the tray menu, item by item and at its limits', () => {
  const separator = { type: 'separator' };
  it('builds exactly this menu for a role, its user, a login profile, a pinned role and a signed-in session', () => {
    const menu = buildTrayTemplate({
      active: 'admin',
      pendingPrompts: 1,
      problem: 'The keychain is slow.',
      ssoSessions: [{ name: 'corp', secondsLeft: 3000, timeLeftText: '50 min left' }],
      profiles: [
        user('alice'),
        // Sorts before its user by name, yet the user heads the group.
        role('admin', 'alice', { account: '111111111111', sessionSecondsLeft: 1800, pinned: true }),
        { name: 'web', kind: 'login', group: 'web', sessionSecondsLeft: 600, hasKey: false, signInTimeLeftText: '11 h left' },
      ],
    });
    const profileActions = (profile: string, live: boolean, console: boolean) => [
      live ? { label: 'End session', action: { type: 'end-session', profile } } : { label: 'Start session', enabled: true, action: { type: 'start-session', profile } },
      { label: 'Copy env export', enabled: true, action: { type: 'copy-env', profile } },
      { label: 'Open console', enabled: console, action: { type: 'open-console', profile } },
    ];
    const makeActive = (profile: string, checked: boolean) => ({ label: 'Make active', type: 'checkbox', checked, action: { type: 'make-active', profile } });
    assert.deepEqual(menu, [
      { label: 'Active: admin — 30 min left', enabled: false },
      { label: 'Enter MFA code… (1 waiting)', action: { type: 'show-prompt' } },
      { label: 'The keychain is slow.', enabled: false },
      separator,
      { label: 'IAM Identity Center', enabled: false },
      {
        label: 'corp — 50 min left',
        type: 'submenu',
        submenu: [
          { label: 'Sign in…', enabled: true, action: { type: 'sso-sign-in', session: 'corp' } },
          { label: 'Sign out', enabled: true, action: { type: 'sso-sign-out', session: 'corp' } },
          { label: 'Add profiles for my accounts', enabled: true, action: { type: 'sso-populate', session: 'corp' } },
        ],
      },
      separator,
      { label: '★ admin — 30 min left', type: 'checkbox', checked: true, enabled: true, action: { type: 'activate', profile: 'admin' } },
      separator,
      { label: 'alice · 111111111111', enabled: false },
      { label: 'alice', type: 'submenu', submenu: [makeActive('alice', false), separator, ...profileActions('alice', false, true)] },
      { label: '✓ admin — 30 min left', type: 'submenu', submenu: [makeActive('admin', true), separator, ...profileActions('admin', true, true)] },
      separator,
      { label: 'web', enabled: false },
      {
        label: 'web — 10 min left',
        type: 'submenu',
        submenu: [
          makeActive('web', false),
          separator,
          { label: 'Sign in… (11 h left)', action: { type: 'login-sign-in', profile: 'web' } },
          { label: 'Sign out', enabled: true, action: { type: 'login-sign-out', profile: 'web' } },
          separator,
          ...profileActions('web', true, false),
        ],
      },
      separator,
      { label: 'Lock (end all sessions)', enabled: true, action: { type: 'lock' } },
      { label: 'Open Keytray…', action: { type: 'open-window' } },
      { label: 'Quit Keytray', action: { type: 'quit' } },
    ]);
  });

  it('names an active profile that is no longer in the config, and says when none is active', () => {
    assert.deepEqual(buildTrayTemplate(state([user('alice')], { active: 'gone' }))[0], { label: 'Active: gone — not in the config', enabled: false });
    assert.deepEqual(buildTrayTemplate(state([user('alice')]))[0], { label: 'No active profile', enabled: false });
    // With no session there is no time to give, and no dash.
    assert.deepEqual(buildTrayTemplate(state([user('alice')], { active: 'alice' }))[0], { label: 'Active: alice', enabled: false });
  });

  it('heads a group with its user, then its roles by name, and words quick items and Sign in… without a time when there is none', () => {
    const menu = buildTrayTemplate(state([role('zulu', 'bob'), user('bob', { pinned: true }), role('alpha', 'bob')]));
    assert.deepEqual(labels(menu).slice(-7, -3), ['bob', 'bob', 'alpha', 'zulu']);
    assert.ok(labels(menu).includes('★ bob'), 'a pinned profile with no session has no dash');
    assert.equal(find(menu, /^★ bob$/).checked, false, 'not the active profile');
    // The same whichever order the profiles come in.
    const carl = user('carl');
    const [alpha, beta] = [role('alpha', 'carl'), role('beta', 'carl')];
    for (const order of [[carl, beta, alpha], [beta, alpha, carl], [alpha, carl, beta]]) {
      assert.deepEqual(labels(buildTrayTemplate(state(order))).slice(-7, -3), ['carl', 'carl', 'alpha', 'beta'], order.map((p) => p.name).join(', '));
    }
    const web = buildTrayTemplate(state([{ name: 'web', kind: 'login', group: 'web', sessionSecondsLeft: null, hasKey: false }]));
    assert.ok(profileMenu(web, 'web').submenu!.some((i) => i.label === 'Sign in…'));
  });

  it('lists 12 profiles inline and puts 13 into one submenu per group', () => {
    const twelve = Array.from({ length: INLINE_PROFILE_LIMIT }, (_, i) => user(`u${String(i).padStart(2, '0')}`));
    const inline = buildTrayTemplate(state(twelve));
    assert.equal(inline.filter((i) => i.type === 'submenu').length, INLINE_PROFILE_LIMIT, 'each profile is its own item');
    assert.ok(labels(inline).includes('u11 · 111111111111'), 'under its group heading');
    assert.ok(profileMenu(inline, 'u11'));
    const thirteen = buildTrayTemplate(state([...twelve, user('u12')]));
    assert.deepEqual(
      thirteen.filter((i) => i.type === 'submenu').map((i) => [i.label, i.submenu!.length]),
      Array.from({ length: 13 }, (_, i) => [`u${String(i).padStart(2, '0')} · 111111111111 (1)`, 1]),
    );
  });

  it('keeps 25 groups at the top and splits 26 into ranges named by their first and last group', () => {
    const groupsOf = (n: number) => Array.from({ length: n }, (_, i) => user(`g${String(i).padStart(2, '0')}`));
    assert.equal(buildTrayTemplate(state(groupsOf(SUBMENU_CHUNK))).filter((i) => i.type === 'submenu').length, SUBMENU_CHUNK);
    const ranges = buildTrayTemplate(state(groupsOf(SUBMENU_CHUNK + 1))).filter((i) => i.type === 'submenu');
    assert.deepEqual(
      ranges.map((i) => [i.label, i.submenu!.length]),
      [
        ['g00 – g24', SUBMENU_CHUNK],
        ['g25 – g25', 1],
      ],
    );
    assert.equal(ranges[1].submenu![0].label, 'g25 · 111111111111 (1)');
  });

  it('keeps a group of 25 flat and splits 26 into chunks named by their first and last profile', () => {
    const group = (n: number) => [user('owner'), ...Array.from({ length: n - 1 }, (_, i) => role(`r${String(i).padStart(2, '0')}`, 'owner'))];
    const pad = Array.from({ length: INLINE_PROFILE_LIMIT }, (_, i) => user(`z${i}`));
    const flat = buildTrayTemplate(state([...group(SUBMENU_CHUNK), ...pad])).find((i) => i.label?.startsWith('owner'))!;
    assert.equal(flat.label, 'owner (25)');
    assert.ok(flat.submenu!.every((i) => i.submenu?.[0].action?.type === 'make-active'), 'the profiles themselves');
    const split = buildTrayTemplate(state([...group(SUBMENU_CHUNK + 1), ...pad])).find((i) => i.label?.startsWith('owner'))!;
    assert.deepEqual(
      split.submenu!.map((i) => [i.label, i.submenu!.length]),
      [
        ['owner … r23', SUBMENU_CHUNK],
        ['r24 … r24', 1],
      ],
    );
    assert.ok(split.submenu!.every((i) => i.type === 'submenu'));
  });

  it('names the account of a group only when all its profiles share one', () => {
    assert.equal(buildTrayTemplate(state([user('carol'), role('ops', 'carol')]))[2].label, 'carol', 'two accounts: none named');
    assert.equal(buildTrayTemplate(state([user('carol', { account: undefined })]))[2].label, 'carol', 'no account known');
  });

  it('cuts a long problem line at 80 characters with an ellipsis, and keeps one of 80 whole', () => {
    const eighty = 'x'.repeat(80);
    assert.ok(labels(buildTrayTemplate(state([], { problem: eighty }))).includes(eighty));
    const cut = labels(buildTrayTemplate(state([], { problem: `${eighty}y` }))).find((l) => l?.startsWith('xxx'));
    assert.equal(cut, `${'x'.repeat(79)}…`);
  });

  it('words the tooltip with the active profile and its time left', () => {
    assert.equal(trayTooltip(state([user('alice')])), 'Keytray — no active profile');
    assert.equal(trayTooltip(state([role('admin', 'alice', { sessionSecondsLeft: 1800 })], { active: 'admin' })), 'Keytray — admin, 30 min left');
    assert.equal(trayTooltip(state([user('alice')], { active: 'alice' })), 'Keytray — alice');
    assert.equal(trayTooltip(state([], { active: 'gone' })), 'Keytray — gone');
    assert.equal(trayTooltip(state([user('alice'), role('admin', 'alice', { sessionSecondsLeft: 1800 })], { active: 'admin' })), 'Keytray — admin, 30 min left', 'the active one, not the first');
  });

  it('hands Electron every label, type, checked and enabled state as the template has it', () => {
    const template: TrayMenuItem[] = [
      { label: 'On', type: 'checkbox', checked: true, enabled: false },
      { label: 'Off', type: 'checkbox', checked: false, enabled: true },
      { type: 'separator' },
      { label: 'Plain' },
      { label: 'More', type: 'submenu', submenu: [{ label: 'Inner', enabled: false }] },
    ];
    assert.deepEqual(toElectronTemplate(template, () => undefined), [
      { label: 'On', type: 'checkbox', checked: true, enabled: false },
      { label: 'Off', type: 'checkbox', checked: false, enabled: true },
      { type: 'separator' },
      { label: 'Plain' },
      { label: 'More', type: 'submenu', submenu: [{ label: 'Inner', enabled: false }] },
    ]);
  });
});
