import { useEffect, useState } from 'react';
import { call, messageOf, type ActivityEntry } from '../keytrayApi';

/** Which process received which profile's credentials, and when (newest first). */
export function ActivityView() {
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () => call('activity.list', {}).then((r) => setEntries(r.entries), (e) => setError(messageOf(e)));
    void load();
    const timer = setInterval(load, 3_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section aria-labelledby="activity-heading">
      <h1 id="activity-heading" tabIndex={-1}>
        Activity
      </h1>
      <p className="lead">Every session served, with the process that asked. Kept in memory until Keytray quits.</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p>Nothing yet.</p>}
      {entries && entries.length > 0 && (
        <table className="activity">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Profile</th>
              <th scope="col">What happened</th>
              <th scope="col">Requested by</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={`${e.at}-${i}`} className={`kind-${e.kind}`}>
                <td>
                  <time dateTime={new Date(e.at).toISOString()}>{new Date(e.at).toLocaleTimeString()}</time>
                </td>
                <td>{e.profile ?? '—'}</td>
                <td>{e.summary}</td>
                <td>{e.requester ? <span title={e.requester.command}>pid {e.requester.pid}{e.requester.command ? ` · ${e.requester.command}` : ''}</span> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
