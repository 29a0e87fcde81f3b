import { useState } from 'react';
import { StatusLine } from '../components/StatusLine';
import { call, messageOf, type ImportCandidate } from '../keytrayApi';
import { go } from '../useHashRoute';

type Step = { name: 'start' } | { name: 'choose'; candidates: ImportCandidate[]; files: string[] } | { name: 'done'; imported: string[]; removedFrom: string[] };

/**
 * Moves plaintext keys from ~/.aws/credentials (and ~/.aws/config) into the keychain. The list
 * shows masked key IDs only; main reads the secrets again itself when the user confirms.
 */
export function ImportWizard() {
  const [step, setStep] = useState<Step>({ name: 'start' });
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [removePlaintext, setRemovePlaintext] = useState(true);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function scan() {
    setStatus(null);
    setBusy(true);
    try {
      const result = await call('import.scan', {});
      setChosen(new Set(result.candidates.filter((c) => !c.skippedReason && !c.alreadyStored).map((c) => c.id)));
      setStep({ name: 'choose', ...result });
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  async function apply() {
    setStatus(null);
    setBusy(true);
    try {
      const result = await call('import.apply', { candidates: [...chosen], removePlaintext });
      setStep({ name: 'done', ...result });
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="import-heading">
      <h1 id="import-heading" tabIndex={-1}>
        Import plaintext keys
      </h1>
      <ol className="steps" aria-label="Steps">
        <li aria-current={step.name === 'start' ? 'step' : undefined}>Find keys</li>
        <li aria-current={step.name === 'choose' ? 'step' : undefined}>Choose</li>
        <li aria-current={step.name === 'done' ? 'step' : undefined}>Done</li>
      </ol>
      {step.name === 'start' && (
        <>
          <p className="lead">
            Keytray looks for long-term keys written in plaintext in your AWS credentials and config files and moves them into the
            system keychain.
          </p>
          <button type="button" className="primary" onClick={() => void scan()} disabled={busy}>
            Look for keys
          </button>
        </>
      )}
      {step.name === 'choose' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void apply();
          }}
        >
          {step.candidates.length === 0 ? (
            <p>No plaintext keys in {step.files.join(' or ')}.</p>
          ) : (
            <fieldset>
              <legend>Keys found</legend>
              {step.candidates.map((c) => (
                <div className="check" key={c.id}>
                  <input
                    type="checkbox"
                    id={`import-${c.id}`}
                    checked={chosen.has(c.id)}
                    disabled={!!c.skippedReason}
                    onChange={(e) => {
                      const next = new Set(chosen);
                      if (e.target.checked) next.add(c.id);
                      else next.delete(c.id);
                      setChosen(next);
                    }}
                  />
                  <label htmlFor={`import-${c.id}`}>
                    <strong>{c.profile}</strong> <code>{c.accessKeyIdHint}</code> <span className="muted">from {c.file}</span>
                    {c.alreadyStored && <span className="muted"> — already in the keychain</span>}
                    {c.skippedReason && <span className="warn"> — skipped: {c.skippedReason}</span>}
                  </label>
                </div>
              ))}
            </fieldset>
          )}
          {step.candidates.length > 0 && (
            <div className="check">
              <input type="checkbox" id="import-remove" checked={removePlaintext} onChange={(e) => setRemovePlaintext(e.target.checked)} />
              <label htmlFor="import-remove">Delete the plaintext copies once the keychain holds them (everything else in the files stays as it is)</label>
            </div>
          )}
          <div className="form-actions">
            {step.candidates.length > 0 && (
              <button type="submit" className="primary" disabled={busy || chosen.size === 0}>
                Import {chosen.size} key{chosen.size === 1 ? '' : 's'}
              </button>
            )}
            <button type="button" onClick={() => setStep({ name: 'start' })}>
              Back
            </button>
          </div>
        </form>
      )}
      {step.name === 'done' && (
        <>
          <p role="status">
            Imported {step.imported.length ? step.imported.join(', ') : 'nothing'}.
            {step.removedFrom.length > 0 ? ` Removed the plaintext copies from ${step.removedFrom.join(', ')}.` : ' The plaintext copies are still on disk.'}
          </p>
          <button type="button" className="primary" onClick={() => go('profiles')}>
            Show profiles
          </button>
        </>
      )}
      <StatusLine status={status} />
    </section>
  );
}
