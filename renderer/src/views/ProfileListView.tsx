import { useCallback, useEffect, useMemo, useState } from 'react';
import { MfaCodeForm } from '../components/MfaCodeForm';
import { StatusLine } from '../components/StatusLine';
import { call, messageOf, subscribe, type MfaNeeded, type ProfileList, type ProfileRow } from '../keytrayApi';
import { go } from '../useHashRoute';

type PendingAction = { action: 'start' | 'copy' | 'console'; profile: string; serial: string };
type Status = { kind: 'ok' | 'error'; text: string } | null;

/** The profile list, grouped by the user profile each chain ends at, with live time left. */
export function ProfileListView() {
  const [list, setList] = useState<ProfileList | null>(null);
  const [receivedAt, setReceivedAt] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [loadError, setLoadError] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const next = await call('profiles.list', {});
      setList(next);
      setReceivedAt(Date.now());
      setLoadError(null);
    } catch (err) {
      setLoadError(messageOf(err));
    }
  }, []);

  useEffect(() => {
    // The main process pushes every change; the one-second tick only counts time left down locally.
    const unsubscribe = subscribe('state.changed', (next) => {
      setList(next);
      setReceivedAt(Date.now());
      setLoadError(null);
    });
    void reload();
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => {
      unsubscribe();
      clearInterval(tick);
    };
  }, [reload]);

  const groups = useMemo(() => groupRows(list?.profiles ?? []), [list]);
  const elapsed = Math.floor((now - receivedAt) / 1000);

  /** Runs an action; an MFA code it still needs opens the inline code form for that profile. */
  async function run(action: PendingAction['action'], profile: string, mfaCode?: string): Promise<void> {
    setBusy(profile);
    setStatus(null);
    try {
      const result =
        action === 'start'
          ? await call('sessions.start', { profile, mfaCode })
          : action === 'copy'
            ? await call('env.copy', { profile, mfaCode })
            : await call('console.open', { profile, mfaCode });
      if (result.status === 'mfa-needed') {
        setPending({ action, profile, serial: (result as MfaNeeded).serial });
        return;
      }
      setPending(null);
      if (result.status === 'started') setStatus({ kind: 'ok', text: `Session for ${profile} started${result.secondsLeft ? `: ${result.timeLeftText}` : ''}.` });
      if (result.status === 'copied') setStatus({ kind: 'ok', text: `Env export for ${profile} copied; the clipboard clears in ${result.clearsAfterSeconds} s.` });
      if (result.status === 'opened') setStatus({ kind: 'ok', text: `Opened the AWS console as ${profile}.` });
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(null);
      void reload();
    }
  }

  async function simple(label: string, work: () => Promise<unknown>): Promise<void> {
    setStatus(null);
    try {
      await work();
      setStatus({ kind: 'ok', text: label });
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    } finally {
      void reload();
    }
  }

  return (
    <section aria-labelledby="profiles-heading">
      <header className="view-header">
        <h1 id="profiles-heading" tabIndex={-1}>
          Profiles
        </h1>
        <div className="actions">
          <button type="button" onClick={() => go('add-user')}>
            Add access key
          </button>
          <button type="button" onClick={() => go('add-role')}>
            Add role
          </button>
          <button
            type="button"
            className="danger"
            disabled={!list?.profiles.some((p) => (p.sessionSecondsLeft ?? 0) > 0)}
            onClick={() => void simple('Locked: every session ended.', () => call('sessions.lock', {}))}
          >
            Lock
          </button>
        </div>
      </header>
      <p className="active-line" aria-live="polite">
        {list?.active ? (
          <>
            Active profile: <strong>{list.active}</strong>
            <span className="muted"> — used by <code>keytray credential-process --active</code></span>
          </>
        ) : (
          'No active profile.'
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
      {list && list.profiles.length === 0 && (
        <div className="empty">
          <p>No profiles yet.</p>
          <p>
            Add an IAM user's access key, or import the plaintext keys in <code>~/.aws/credentials</code>.
          </p>
        </div>
      )}
      {groups.map(([group, rows]) => (
        <section className="group" key={group} aria-label={`Profiles using ${group}`}>
          <h2>
            {group}
            {accountOf(rows) && <span className="muted"> · account {accountOf(rows)}</span>}
          </h2>
          <ul className="profile-rows">
            {rows.map((p) => {
              const left = p.sessionSecondsLeft === null ? null : p.sessionSecondsLeft - elapsed;
              const live = left !== null && left > 0;
              // A login profile has credentials exactly when signed in (`keytray login`), as in the tray.
              const usable = p.kind === 'login' ? p.sessionSecondsLeft !== null : p.kind !== 'user' || p.hasKey;
              return (
                <li key={p.name} className={`profile${p.active ? ' active' : ''}`} data-profile={p.name}>
                  <div className="profile-main">
                    <div className="profile-name">
                      <span className="name">{p.name}</span>
                      <span className={`badge ${p.kind}`}>{p.kind}</span>
                      {p.active && <span className="badge active-badge">active</span>}
                      {p.managedByKeytray && <span className="badge" title="Served by credential_process">credential_process</span>}
                    </div>
                    <div className="profile-meta">
                      {p.kind === 'role' ? (
                        <span title={p.roleArn}>{p.roleArn ?? 'no role ARN'}</span>
                      ) : p.kind === 'sso' ? (
                        <span>
                          {p.ssoRoleName ?? 'no role'} · IAM Identity Center{p.ssoSession ? ` (${p.ssoSession})` : ''}
                        </span>
                      ) : p.kind === 'login' ? (
                        <span className={p.sessionSecondsLeft === null ? 'warn' : undefined}>AWS Sign-In · {p.sessionSecondsLeft === null ? 'not signed in' : 'signed in'}</span>
                      ) : p.hasKey ? (
                        <span>key {p.accessKeyIdHint}</span>
                      ) : (
                        <span className="warn">no key stored</span>
                      )}
                      {p.mfaSerial && <span> · MFA</span>}
                      {p.region && <span> · {p.region}</span>}
                    </div>
                  </div>
                  <div className={`session ${live ? 'live' : left !== null ? 'expired' : ''}`} aria-label={`Session: ${live || left === null ? p.timeLeftText : 'expired'}`}>
                    {live || left === null ? p.timeLeftText : 'expired'}
                  </div>
                  <div className="profile-actions" role="group" aria-label={`Actions for ${p.name}`}>
                    {live ? (
                      <button type="button" onClick={() => void simple(`Ended the session for ${p.name}.`, () => call('sessions.end', { profile: p.name }))}>
                        End session
                      </button>
                    ) : (
                      <button type="button" className="primary" disabled={!usable || busy === p.name} onClick={() => void run('start', p.name)}>
                        Start session
                      </button>
                    )}
                    <button
                      type="button"
                      aria-pressed={p.active}
                      disabled={!p.inConfig}
                      onClick={() =>
                        void simple(p.active ? 'Cleared the active profile.' : `${p.name} is now the active profile.`, () =>
                          call('profiles.makeActive', { profile: p.active ? null : p.name }),
                        )
                      }
                    >
                      {p.active ? 'Active' : 'Make active'}
                    </button>
                    <button type="button" disabled={!usable || busy === p.name} onClick={() => void run('copy', p.name)}>
                      Copy env
                    </button>
                    <button type="button" disabled={!usable || p.kind === 'login' || busy === p.name} onClick={() => void run('console', p.name)}>
                      Console
                    </button>
                    <button type="button" disabled={!p.inConfig} onClick={() => go('edit', p.name)} aria-label={`Edit ${p.name}`}>
                      Edit
                    </button>
                  </div>
                  {pending?.profile === p.name && (
                    <MfaCodeForm
                      id={`mfa-${p.name}`}
                      profile={p.name}
                      serial={pending.serial}
                      busy={busy === p.name}
                      submitLabel={pending.action === 'start' ? 'Start session' : pending.action === 'copy' ? 'Copy env' : 'Open console'}
                      onSubmit={(code) => void run(pending.action, p.name, code)}
                      onCancel={() => setPending(null)}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      {list && <p className="muted small">Profiles are read from {list.configFile}.</p>}
    </section>
  );
}

function groupRows(rows: ProfileRow[]): Array<[string, ProfileRow[]]> {
  const groups = new Map<string, ProfileRow[]>();
  for (const r of rows) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  for (const [group, list] of groups) list.sort((a, b) => Number(b.name === group) - Number(a.name === group) || a.name.localeCompare(b.name));
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function accountOf(rows: ProfileRow[]): string | undefined {
  const accounts = [...new Set(rows.map((r) => r.account).filter(Boolean))];
  return accounts.length === 1 ? accounts[0] : undefined;
}
