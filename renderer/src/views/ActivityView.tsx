import { useEffect, useMemo, useState } from 'react';
import { call, messageOf, subscribe, type ActivityEntry, type ActivityOutcome } from '../keytrayApi';

const OUTCOME_LABEL: Record<ActivityOutcome, string> = { ok: 'worked', failed: 'failed', refused: 'refused' };

/**
 * Which process received which profile's credentials, and when, newest first. Kept in Keytray's
 * data directory, so it outlasts a restart (`keytray activity` prints the same log). Failures and
 * refusals are marked, and the list filters by profile and outcome.
 */
export function ActivityView() {
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [profile, setProfile] = useState('');
  const [outcome, setOutcome] = useState<'' | ActivityOutcome>('');

  useEffect(() => {
    call('activity.list', {}).then((r) => setEntries(r.entries), (e) => setError(messageOf(e)));
    return subscribe('activity.added', (entry) => setEntries((list) => (list ? [entry, ...list] : [entry])));
  }, []);

  const profiles = useMemo(() => [...new Set((entries ?? []).map((e) => e.profile).filter((p): p is string => !!p))].sort(), [entries]);
  const shown = (entries ?? []).filter((e) => (!profile || e.profile === profile) && (!outcome || (e.outcome ?? 'ok') === outcome));

  return (
    <section aria-labelledby="activity-heading">
      <h1 id="activity-heading" tabIndex={-1}>
        Activity
      </h1>
      <p className="lead">Every session served, with the process that asked. Kept in Keytray's data directory; never a secret.</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p>Nothing yet: entries appear when a program asks for credentials or you act on a profile.</p>}
      {entries && entries.length > 0 && (
        <>
          <div className="filters">
            <div className="field">
              <label htmlFor="activity-profile">Profile</label>
              <select id="activity-profile" value={profile} onChange={(e) => setProfile(e.target.value)}>
                <option value="">All profiles</option>
                {profiles.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="activity-outcome">Outcome</label>
              <select id="activity-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as '' | ActivityOutcome)}>
                <option value="">Any outcome</option>
                <option value="ok">Worked</option>
                <option value="failed">Failed</option>
                <option value="refused">Refused or cancelled</option>
              </select>
            </div>
          </div>
          <p className="muted small" aria-live="polite">
            {shown.length} of {entries.length} entries
          </p>
          <ul className="activity-list" aria-label="Activity entries">
            {shown.map((e, i) => (
              <li key={`${e.at}-${i}`} className={`kind-${e.kind}`} data-outcome={e.outcome ?? 'ok'}>
                <time className="when" dateTime={new Date(e.at).toISOString()}>
                  {new Date(e.at).toLocaleString([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })}
                </time>{' '}
                {e.outcome && e.outcome !== 'ok' && <span className={`outcome ${e.outcome}`}>{OUTCOME_LABEL[e.outcome]}</span>}
                <span>{e.summary}</span>
                {e.requester && (
                  <div className="who">
                    pid {e.requester.pid}
                    {e.requester.command ? ` · ${e.requester.command}` : ''}
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
