import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { StatusLine } from '../components/StatusLine';
import { call, messageOf, type ImportCandidate, type ProfileRow } from '../keytrayApi';
import { groupProfiles, type GroupHeading } from '../profileGroups';
import { filterProfiles, searchTextOf } from '../profileSearch';
import { sessionNow, useNow, type Status } from '../sessionClock';
import { signInFor, useBrowserSignIn } from '../useBrowserSignIn';
import { useProfileList } from '../useProfileList';
import { go } from '../useHashRoute';
import { ProfileDetail, type DetailRequest } from './ProfileDetail';
import { SsoSessionDetail, SsoSessionList, type SsoRequest } from './SsoSessions';

/** Every row has one height, and every group heading another, so the list is virtualized without measuring. */
const ROW_HEIGHT = 72;
const GROUP_HEIGHT = 32;

/**
 * The profile list and the selected profile's detail side by side (stacked in a narrow window).
 * Rows are compact and virtualized, so thousands of profiles cost only the rows on screen; they are
 * grouped under the user their chain ends at or, for IAM Identity Center, the account's name. The
 * search box (Ctrl/Cmd+K or /) filters by name, account, role and user with fuzzy matching. The
 * config's IAM Identity Center sessions sit above the list, and open in the same detail pane.
 */
export function ProfileListView({ selectedName }: { selectedName?: string }) {
  const { list, receivedAt, error: loadError, reload } = useProfileList();
  const now = useNow(15_000);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<Status>(null);
  const [selected, setSelected] = useState<string | null>(selectedName ?? null);
  const [selectedSso, setSelectedSso] = useState<string | null>(null);
  const [request, setRequest] = useState<DetailRequest | null>(null);
  const [ssoRequest, setSsoRequest] = useState<SsoRequest | null>(null);
  const signIn = useBrowserSignIn();
  const search = useRef<HTMLInputElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const focusAfterRender = useRef<string | null>(null);
  const [plaintext, setPlaintext] = useState<Map<string, ImportCandidate>>(new Map());

  // Keys still in plaintext in ~/.aws/credentials are offered for import where the profile shows.
  useEffect(() => {
    call('import.scan', {}).then(
      (r) => setPlaintext(new Map(r.candidates.filter((c) => !c.skippedReason && !c.alreadyStored).map((c) => [c.profile, c]))),
      () => undefined,
    );
  }, [list?.profiles.length]);

  const haystacks = useMemo(() => new Map((list?.profiles ?? []).map((p) => [p.name, searchTextOf(p)])), [list]);
  const { items, rows, itemIndexOfRow } = useMemo(() => groupProfiles(filterProfiles(list?.profiles ?? [], haystacks, query), { rootFirst: !query.trim() }), [list, haystacks, query]);
  const elapsed = Math.max(0, Math.floor((now - receivedAt) / 1000));
  const ssoSessions = list?.ssoSessions ?? [];
  const selectedSession = selectedSso === null ? null : (ssoSessions.find((s) => s.name === selectedSso) ?? null);
  const selectedRow = selectedSession ? null : (list?.profiles.find((p) => p.name === selected) ?? null);
  const selectedIndex = rows.findIndex((r) => r.name === selected);
  // The row that takes Tab: the selected one, else the first, so the list is one tab stop.
  const tabRow = selectedIndex >= 0 ? rows[selectedIndex].name : rows[0]?.name;

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: (index) => (items[index].kind === 'group' ? GROUP_HEIGHT : ROW_HEIGHT),
    overscan: 6,
  });

  // Ctrl/Cmd+K and "/" (outside a text field) go to the search box from anywhere in the window.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
      if ((e.key === 'k' || e.key === 'K') && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        search.current?.focus();
        search.current?.select();
      } else if (e.key === '/' && !typing) {
        e.preventDefault();
        search.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const name = focusAfterRender.current;
    if (!name) return;
    const el = scroller.current?.querySelector<HTMLElement>(`li[data-profile="${CSS.escape(name)}"] .row-select`);
    if (el) {
      focusAfterRender.current = null;
      el.focus();
    }
  });

  function select(name: string, focus = false) {
    setSelected(name);
    setSelectedSso(null);
    if (focus) focusAfterRender.current = name;
  }

  function selectSession(name: string) {
    setSelectedSso(name);
    setSelected(null);
  }

  function moveSelection(delta: number) {
    if (rows.length === 0) return;
    const from = selectedIndex >= 0 ? selectedIndex : delta > 0 ? -1 : rows.length;
    const next = Math.max(0, Math.min(rows.length - 1, from + delta));
    // At the top, show the group's heading too: it says whose the first row is.
    const item = itemIndexOfRow[next];
    virtualizer.scrollToIndex(item > 0 && items[item - 1].kind === 'group' && delta < 0 ? item - 1 : item, { align: 'auto' });
    select(rows[next].name, true);
  }

  /**
   * The row's one action: sign in a login profile that is not signed in, start a session when
   * there is none, else make the profile the active one.
   */
  async function primaryAction(p: ProfileRow) {
    setStatus(null);
    select(p.name);
    if (p.kind === 'login' && p.sessionSecondsLeft === null) {
      setRequest({ action: 'login-sign-in', profile: p.name, nonce: Date.now() });
      return;
    }
    const { live } = sessionNow(p, elapsed, now);
    if (!live) {
      setRequest({ action: 'start', profile: p.name, nonce: Date.now() });
      return;
    }
    try {
      await call('profiles.makeActive', { profile: p.active ? null : p.name });
      setStatus({ kind: 'ok', text: p.active ? 'Cleared the active profile.' : `${p.name} is now the active profile.` });
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    } finally {
      await reload();
    }
  }

  const anyLive = !!list?.profiles.some((p) => sessionNow(p, elapsed, now).live);

  return (
    <section aria-labelledby="profiles-heading" className="profiles-view">
      <header className="view-header">
        <h1 id="profiles-heading" tabIndex={-1}>
          Profiles
        </h1>
        <div className="actions">
          <button
            type="button"
            className="danger"
            disabled={!anyLive}
            onClick={() =>
              void call('sessions.lock', {}).then(
                () => setStatus({ kind: 'ok', text: 'Locked: every session ended.' }),
                (e) => setStatus({ kind: 'error', text: messageOf(e) }),
              ).finally(() => void reload())
            }
          >
            Lock
          </button>
        </div>
      </header>
      <p className="active-line">
        {list?.active ? (
          <>
            Active: <strong className="ellipsis" title={list.active}>{list.active}</strong>
            <span className="muted"> — served by <code>credential-process --active</code></span>
          </>
        ) : (
          <span className="muted">No active profile.</span>
        )}
      </p>
      {list?.configError && (
        <p className="error" role="alert">
          {list.configError}
        </p>
      )}
      {loadError && (
        <p className="error" role="alert">
          {loadError}
        </p>
      )}
      <StatusLine status={status} />
      {list && list.profiles.length === 0 && ssoSessions.length === 0 ? (
        <div className="empty">
          <h2>No profiles yet</h2>
          <p>Add an IAM user's access key, or move the plaintext keys in <code>~/.aws/credentials</code> into the keychain.</p>
          <div className="actions">
            <button type="button" className="primary" onClick={() => go('add-user')}>
              Add key
            </button>
            <button type="button" onClick={() => go('import')}>
              Import
            </button>
          </div>
        </div>
      ) : (
        <div className="list-detail">
          <div className="list-pane">
            {ssoSessions.length > 0 && (
              <SsoSessionList
                sessions={ssoSessions}
                elapsed={elapsed}
                selected={selectedSso}
                signIn={signIn}
                onSelect={selectSession}
                onAction={(name, action) => {
                  selectSession(name);
                  setSsoRequest({ action, session: name, nonce: Date.now() });
                }}
              />
            )}
            <h2 className="visually-hidden">Profiles by account</h2>
            <div className="search">
              <label htmlFor="profile-search" className="visually-hidden">
                Search profiles
              </label>
              <input
                id="profile-search"
                ref={search}
                type="search"
                placeholder="Search profiles, accounts, roles (Ctrl+K)"
                autoComplete="off"
                spellCheck={false}
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'ArrowDown') {
                    e.preventDefault();
                    moveSelection(1);
                  } else if (e.key === 'Enter' && rows[0]) {
                    e.preventDefault();
                    select(rows[0].name, true);
                  } else if (e.key === 'Escape' && query) {
                    e.preventDefault();
                    setQuery('');
                  }
                }}
                aria-describedby="profile-count"
              />
              <p id="profile-count" className="muted small" aria-live="polite">
                {list ? (query ? `${rows.length} of ${list.profiles.length} profiles` : `${list.profiles.length} profiles`) : 'Loading…'}
              </p>
            </div>
            <div className="list-scroller" ref={scroller}>
              {rows.length === 0 && list && (
                <p className="muted no-match">
                  {query.trim() ? `No profile matches “${query}”.` : 'No profiles yet. Select an IAM Identity Center session above to add profiles for your accounts.'}
                </p>
              )}
              <ul
                className="profile-rows"
                aria-label="Profiles"
                style={{ height: virtualizer.getTotalSize() }}
                onKeyDown={(e) => {
                  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                    e.preventDefault();
                    moveSelection(e.key === 'ArrowDown' ? 1 : -1);
                  } else if (e.key === 'Home' || e.key === 'End') {
                    e.preventDefault();
                    moveSelection(e.key === 'Home' ? -rows.length : rows.length);
                  }
                }}
              >
                {virtualizer.getVirtualItems().map((v) => {
                  const item = items[v.index];
                  if (item.kind === 'group') return <GroupHeadingItem key={`group:${item.group}`} heading={item} index={v.index} setSize={items.length} top={v.start} />;
                  const p = item.row;
                  return (
                    <ProfileRowItem
                      key={p.name}
                      profile={p}
                      index={v.index}
                      setSize={items.length}
                      top={v.start}
                      selected={p.name === selected && !selectedSession}
                      tabbable={p.name === tabRow}
                      session={sessionNow(p, elapsed, now)}
                      plaintextKey={!p.hasKey && plaintext.has(p.name)}
                      signingIn={!!signInFor(signIn, 'AWS Sign-In', p.name)}
                      onSelect={() => select(p.name)}
                      onPrimary={() => void primaryAction(p)}
                    />
                  );
                })}
              </ul>
            </div>
          </div>
          <div className="detail-pane">
            {selectedSession ? (
              <SsoSessionDetail
                key={`sso:${selectedSession.name}`}
                session={selectedSession}
                elapsed={elapsed}
                now={now}
                signIn={signIn}
                request={ssoRequest?.session === selectedSession.name ? ssoRequest : null}
                configFileShown={list?.configFile ?? ''}
                onDone={(text) => {
                  if (text) setStatus(text);
                  void reload();
                }}
              />
            ) : selectedRow ? (
              <ProfileDetail
                key={selectedRow.name}
                profile={selectedRow}
                session={sessionNow(selectedRow, elapsed, now)}
                elapsed={elapsed}
                now={now}
                signIn={
                  selectedRow.kind === 'login'
                    ? signInFor(signIn, 'AWS Sign-In', selectedRow.name)
                    : selectedRow.ssoSession
                      ? signInFor(signIn, 'IAM Identity Center', selectedRow.ssoSession)
                      : null
                }
                plaintext={selectedRow.hasKey ? undefined : plaintext.get(selectedRow.name)}
                request={request?.profile === selectedRow.name ? request : null}
                onDone={(text, refocusRow) => {
                  setRequest(null);
                  if (text) setStatus(text);
                  void reload();
                  if (refocusRow) select(selectedRow.name, true);
                }}
                onRemoved={() => {
                  setSelected(null);
                  void reload();
                }}
              />
            ) : (
              <div className="detail-empty">
                <h2>Select a profile</h2>
                <p className="muted">
                  Its settings, its key and every action on it show here{ssoSessions.length > 0 ? '; so do an IAM Identity Center session’s' : ''}. Arrow keys move through the list; Enter acts.
                </p>
              </div>
            )}
          </div>
        </div>
      )}
      {list && <p className="muted small ellipsis" title={list.configFile}>Profiles are read from {list.configFile}.</p>}
    </section>
  );
}

/** A group's heading inside the virtual list: the user, or the account's name and ID. */
function GroupHeadingItem(props: { heading: GroupHeading; index: number; setSize: number; top: number }) {
  const { heading: h } = props;
  return (
    <li
      className="group-heading"
      data-group={h.group}
      aria-posinset={props.index + 1}
      aria-setsize={props.setSize}
      style={{ transform: `translateY(${props.top}px)`, height: GROUP_HEIGHT }}
    >
      <h3 className="group-name" title={h.group}>
        {h.group}
      </h3>
      {h.accountId && <span className="group-account">{h.accountId}</span>}
      <span className="group-count">{h.count === 1 ? '1 profile' : `${h.count} profiles`}</span>
    </li>
  );
}

function ProfileRowItem(props: {
  profile: ProfileRow;
  index: number;
  setSize: number;
  top: number;
  selected: boolean;
  tabbable: boolean;
  session: ReturnType<typeof sessionNow>;
  plaintextKey: boolean;
  /** A login profile whose browser sign-in is under way. */
  signingIn: boolean;
  onSelect(): void;
  onPrimary(): void;
}) {
  const { profile: p, session } = props;
  // A login profile that is not signed in gets Sign in (`keytray login`) as its action; a user
  // profile needs a stored key; roles and IAM Identity Center profiles get theirs elsewhere.
  const needsSignIn = p.kind === 'login' && p.sessionSecondsLeft === null;
  const usable = needsSignIn || p.kind !== 'user' || p.hasKey;
  const actionLabel = needsSignIn ? (props.signingIn ? 'Signing in…' : 'Sign in') : !session.live ? 'Start' : p.active ? 'Active' : 'Make active';
  const account = p.accountName && p.account ? `${p.accountName} ${p.account}` : p.account;
  const via =
    p.kind === 'role' && p.sourceProfile
      ? `via ${p.sourceProfile}`
      : p.kind === 'sso'
        ? `via IAM Identity Center${p.ssoSession ? ` (${p.ssoSession})` : ''}`
        : p.kind === 'login'
          ? `via AWS Sign-In${p.sessionSecondsLeft === null ? ', not signed in' : ''}`
        : p.kind === 'user' && !p.hasKey
        ? props.plaintextKey
          ? 'key in plaintext file'
          : 'no key stored'
        : '';
  return (
    <li
      className={`profile${props.selected ? ' selected' : ''}${p.active ? ' active' : ''}`}
      data-profile={p.name}
      aria-posinset={props.index + 1}
      aria-setsize={props.setSize}
      style={{ transform: `translateY(${props.top}px)`, height: ROW_HEIGHT }}
    >
      <button
        type="button"
        className="row-select"
        tabIndex={props.tabbable ? 0 : -1}
        aria-current={props.selected ? 'true' : undefined}
        title={p.name}
        onClick={props.onSelect}
        onFocus={props.onSelect}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && usable && !props.signingIn) {
            e.preventDefault();
            props.onPrimary();
          }
        }}
      >
        <span className="row-line">
          {p.pinned && (
            <span className="pin" aria-label="pinned">
              ★
            </span>
          )}
          <span className="name">{p.name}</span>
        </span>
        <span className="row-meta">
          {[account, p.kind, via].filter(Boolean).join(' · ')}
        </span>
        <span className="row-time">
          <span className={`timebar${session.live ? ' live' : ''}`} aria-hidden="true">
            <span className="timebar-fill" style={{ width: `${Math.round(session.fraction * 100)}%` }} />
          </span>
          <span className={`time-text${session.live ? ' live' : ''}`}>{session.live ? `${session.text}, ${session.until}` : session.text}</span>
        </span>
      </button>
      <button
        type="button"
        className={`row-action${p.active && session.live ? ' is-active' : ''}`}
        tabIndex={props.tabbable ? 0 : -1}
        disabled={!usable || !p.inConfig}
        // A sign-in under way keeps the button (and its focus) but makes it do nothing.
        aria-disabled={props.signingIn || undefined}
        aria-label={`${actionLabel.replace('…', '')}: ${p.name}`}
        aria-pressed={session.live ? p.active : undefined}
        onClick={() => !props.signingIn && props.onPrimary()}
      >
        {actionLabel}
      </button>
    </li>
  );
}
