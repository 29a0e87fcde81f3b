import { useEffect, useRef, useState } from 'react';
import { typedMfaCode } from '../components/MfaCodeForm';
import { StatusLine } from '../components/StatusLine';
import { call, messageOf, subscribe, type PromptView } from '../keytrayApi';

/**
 * The MFA prompt window: which profile, which MFA device, and which process is asking (pid and
 * command line), so the user can refuse a request they did not start.
 */
export function PromptWindowView() {
  const [prompt, setPrompt] = useState<PromptView | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [code, setCode] = useState('');
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const shownId = useRef<string | null>(null);

  useEffect(() => {
    document.title = 'Keytray — MFA code';
    const show = (p: PromptView | null) => {
      setPrompt(p);
      setLoaded(true);
      if (p && p.id !== shownId.current) {
        // A new request: start clean and put the cursor in the code field.
        shownId.current = p.id;
        setCode('');
        setStatus(null);
        setTimeout(() => input.current?.focus(), 0);
      }
    };
    // The main process pushes each change of the queue; the current head is loaded once.
    let pushed = false;
    const unsubscribe = subscribe('prompt.changed', (p) => {
      pushed = true;
      show(p);
    });
    // A push that overtook the first load is newer than its answer.
    call('prompt.current', {}).then((p) => pushed || show(p), (e) => setStatus({ kind: 'error', text: messageOf(e) }));
    return unsubscribe;
  }, []);

  async function answer(e: React.FormEvent) {
    e.preventDefault();
    const typed = typedMfaCode(code);
    if (!prompt || typed === null) return;
    setCode('');
    try {
      const r = await call('prompt.answer', { id: prompt.id, code: typed });
      setStatus(r.accepted ? { kind: 'ok', text: 'Code sent.' } : { kind: 'error', text: 'That request is no longer waiting.' });
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    }
  }

  async function cancel() {
    if (!prompt) return;
    await call('prompt.cancel', { id: prompt.id }).catch(() => undefined);
    setStatus({ kind: 'ok', text: 'Cancelled; the requesting program was told.' });
  }

  return (
    <main className="prompt-window" onKeyDown={(e) => e.key === 'Escape' && void cancel()}>
      <h1 tabIndex={-1}>MFA code needed</h1>
      {!prompt && loaded && <p>No program is waiting for an MFA code.</p>}
      {prompt && (
        <form onSubmit={answer}>
          <dl className="prompt-facts">
            <dt>Profile</dt>
            <dd data-testid="prompt-profile">{prompt.requestedProfile ? `${prompt.requestedProfile} (via ${prompt.profile})` : prompt.profile}</dd>
            <dt>MFA device</dt>
            <dd>
              <code>{prompt.serial}</code>
            </dd>
            <dt>Requested by</dt>
            <dd data-testid="prompt-requester">
              {prompt.requester ? (
                <>
                  pid {prompt.requester.pid}
                  {prompt.requester.command && (
                    <>
                      <br />
                      <code className="command">{prompt.requester.command}</code>
                    </>
                  )}
                </>
              ) : (
                'an unknown process'
              )}
            </dd>
          </dl>
          <div className="field">
            <label htmlFor="prompt-code">Code from your MFA device</label>
            <input
              id="prompt-code"
              ref={input}
              className="code-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              aria-describedby="prompt-code-hint"
            />
            <p id="prompt-code-hint" className="field-hint">
              Only enter it if you started this request. Escape cancels.
            </p>
          </div>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={typedMfaCode(code) === null}>
              Send code
            </button>
            <button type="button" onClick={() => void cancel()}>
              Cancel request
            </button>
          </div>
          {prompt.queued > 0 && <p className="muted">{prompt.queued} more request(s) waiting.</p>}
        </form>
      )}
      <StatusLine status={status} />
    </main>
  );
}
