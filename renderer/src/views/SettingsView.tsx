import { useEffect, useMemo, useState } from 'react';
import { filterProfiles, searchTextOf } from '../profileSearch';
import { StatusLine } from '../components/StatusLine';
import { useAppSupport } from '../components/AppControls';
import { call, messageOf, subscribe, type ProfileRow, type Settings } from '../keytrayApi';

const DURATIONS = [1, 2, 4, 8, 12, 24, 36];

export function SettingsView() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [profiles, setProfiles] = useState<ProfileRow[]>([]);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [filter, setFilter] = useState('');
  const haystacks = useMemo(() => new Map(profiles.map((p) => [p.name, searchTextOf(p)])), [profiles]);
  const matching = useMemo(() => (filter.trim() ? filterProfiles(profiles, haystacks, filter) : []), [profiles, haystacks, filter]);

  const loadProfiles = () => call('profiles.list', {}).then((l) => setProfiles(l.profiles.filter((p) => p.inConfig)), () => undefined);
  const notes = useAppSupport()?.settingNotes ?? {};
  useEffect(() => {
    // Settings changed elsewhere (another window, the tray) are pushed here.
    const unsubscribe = subscribe('settings.changed', setSettings);
    call('settings.get', {}).then(setSettings, (e) => setStatus({ kind: 'error', text: messageOf(e) }));
    void loadProfiles();
    return unsubscribe;
  }, []);

  async function update(patch: Partial<Settings>) {
    setStatus(null);
    try {
      setSettings(await call('settings.set', patch));
      setStatus({ kind: 'ok', text: 'Saved.' });
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    }
  }

  /** One action for every profile the filter matches, so hundreds need no hundred clicks. */
  async function bulkSetup(enabled: boolean) {
    setStatus(null);
    try {
      const r = await call('setup.bulk', { profiles: matching.map((p) => p.name), enabled });
      setStatus({ kind: 'ok', text: `${r.changed.length} profile(s) ${enabled ? 'now served through' : 'no longer served by'} credential_process.` });
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    } finally {
      void loadProfiles();
    }
  }

  async function installCli() {
    setStatus(null);
    try {
      setStatus({ kind: 'ok', text: (await call('cli.install', {})).message });
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    }
  }

  return (
    <section aria-labelledby="settings-heading">
      <h1 id="settings-heading" tabIndex={-1}>
        Settings
      </h1>
      <StatusLine status={status} />
      {settings && (
        <fieldset>
          <legend>Sessions</legend>
          <div className="field">
            <label htmlFor="setting-duration">MFA session length for user profiles</label>
            <select id="setting-duration" value={settings.mfaSessionSeconds} onChange={(e) => void update({ mfaSessionSeconds: Number(e.target.value) })}>
              {[...new Set([...DURATIONS.map((h) => h * 3600), settings.mfaSessionSeconds])]
                .sort((a, b) => a - b)
                .map((s) => (
                  <option key={s} value={s}>
                    {s % 3600 === 0 ? `${s / 3600} hours` : `${Math.round(s / 60)} minutes`}
                  </option>
                ))}
            </select>
            <p className="field-hint">
              Role sessions use the role's own duration_seconds (1 hour by default). A new length applies to sessions started after Keytray
              restarts.
            </p>
          </div>
          <Toggle id="setting-lock-sleep" label="End all sessions when the computer sleeps" checked={settings.lockOnSleep} onChange={(v) => void update({ lockOnSleep: v })} />
          <Toggle id="setting-lock-screen" label="End all sessions when the screen locks" checked={settings.lockOnScreenLock} onChange={(v) => void update({ lockOnScreenLock: v })} />
          {notes.lockOnScreenLock && <p className="field-hint" data-testid="note-lock-screen">{notes.lockOnScreenLock}</p>}
          <Toggle id="setting-login" label="Start Keytray at login" checked={settings.startAtLogin} onChange={(v) => void update({ startAtLogin: v })} />
          {notes.startAtLogin && <p className="field-hint" data-testid="note-start-at-login">{notes.startAtLogin}</p>}
        </fieldset>
      )}
      <fieldset>
        <legend>Serve profiles through credential_process</legend>
        <p className="field-hint">
          The AWS CLI and SDKs then ask Keytray for these profiles' credentials. Their role settings move to keytray_ keys so the CLI
          does not assume the role itself; turning it off restores them.
        </p>
        {profiles.length === 0 && <p className="muted">No profiles in the config file.</p>}
        {profiles.length > 0 && (
          <div className="bulk">
            <div className="field">
              <label htmlFor="setup-filter">Profiles matching</label>
              <input id="setup-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="e.g. prod" aria-describedby="setup-filter-count" autoComplete="off" />
              <p id="setup-filter-count" className="field-hint">
                {filter.trim()
                  ? `${matching.length} match: ${matching.filter((p) => p.managedByKeytray).length} served now.`
                  : `${profiles.filter((p) => p.managedByKeytray).length} of ${profiles.length} served now. Each profile's own switch is in its detail pane.`}
              </p>
            </div>
            <button type="button" disabled={matching.length === 0} onClick={() => void bulkSetup(true)}>
              Serve {matching.length || ''} through credential_process
            </button>
            <button type="button" disabled={matching.length === 0} onClick={() => void bulkSetup(false)}>
              Stop serving {matching.length || ''}
            </button>
          </div>
        )}
      </fieldset>
      <fieldset>
        <legend>Command-line tool</legend>
        <p className="field-hint">
          Installs <code>keytray</code> into ~/.local/bin, for <code>keytray env</code>, <code>exec</code> and credential_process.
        </p>
        <button type="button" onClick={() => void installCli()}>
          Install the keytray command
        </button>
      </fieldset>
    </section>
  );
}

function Toggle({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange(v: boolean): void }) {
  return (
    <div className="check">
      <input type="checkbox" role="switch" id={id} checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}
