import { useEffect, useRef, useState } from 'react';
import { BrowserSignInPanel, cancelSignIn, signInSubject } from '../components/BrowserSignInPanel';
import { typedMfaCode } from '../components/MfaCodeForm';
import { call, messageOf, subscribe, type BrowserSignInView, type PromptView } from '../keytrayApi';
import { clockTime, minutesSeconds, useNow } from '../sessionClock';
import { useBrowserSignIn } from '../useBrowserSignIn';

type Outcome = { kind: 'ok' | 'error'; text: string } | null;

/**
 * The MFA prompt window: which program is asking (its name in bold, then its pid and full command
 * line), for which profile, role and account, with which MFA device, how long it has waited and
 * when it gives up, so the user can refuse a request they did not start. Six digits submit by
 * themselves; Escape cancels. A code AWS refuses is shown here with AWS's reason, and the request
 * stays open for the next code; a success is only said once AWS has accepted the code.
 *
 * It also shows a browser sign-in (IAM Identity Center, AWS Sign-In) while main waits on one:
 * "continue in your browser", for device authorization the code to compare with the page, and
 * Cancel. An MFA request and a sign-in can wait at once; both show, the MFA code field keeps the
 * focus it has, and Escape cancels the one that has focus (the MFA request when neither does).
 */
export function PromptWindowView() {
  const [prompt, setPrompt] = useState<PromptView | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [checking, setChecking] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const shownId = useRef<string | null>(null);
  const now = useNow(1_000);
  const signIn = useBrowserSignIn();
  const signInHeading = useRef<HTMLHeadingElement>(null);
  const signInSection = useRef<HTMLDivElement>(null);
  const shownSignIn = useRef<BrowserSignInView | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const promptRef = useRef(prompt);
  promptRef.current = prompt;

  // A new MFA request puts the cursor in the code field, once the field is on screen.
  useEffect(() => {
    if (prompt?.id) input.current?.focus();
  }, [prompt?.id]);

  // A new sign-in is announced, and takes focus unless an MFA code is being typed.
  useEffect(() => {
    const before = shownSignIn.current;
    shownSignIn.current = signIn;
    if (signIn && signIn.id !== before?.id) {
      setAnnouncement(`Continue in your browser: signing in to ${signInSubject(signIn)}.`);
      if (!promptRef.current) signInHeading.current?.focus();
    } else if (!signIn && before) {
      setAnnouncement(`No longer waiting for the browser: the sign-in to ${signInSubject(before)} ended.`);
    }
  }, [signIn]);

  // When one of two requests goes, the content that had focus may be gone with it: move focus to
  // the one still waiting rather than leave it on the page's body.
  const waiting = `${prompt ? 'mfa' : ''}${signIn ? 'signin' : ''}`;
  useEffect(() => {
    if (document.activeElement && document.activeElement !== document.body) return;
    if (promptRef.current) input.current?.focus();
    else signInHeading.current?.focus();
  }, [waiting]);

  function show(p: PromptView | null) {
    setPrompt(p);
    setLoaded(true);
    if (p && p.id !== shownId.current) {
      // A new request: start clean and put the cursor in the code field.
      shownId.current = p.id;
      setCode('');
      setFieldError(p.error ?? null);
      setOutcome(null);
    } else if (p?.error) {
      setFieldError(p.error);
    }
  }

  const reload = () => call('prompt.current', {}).then(show, (e) => setOutcome({ kind: 'error', text: messageOf(e) }));

  useEffect(() => {
    void reload();
    return subscribe('prompt.changed', show);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      const inSignIn = signInSection.current?.contains(document.activeElement) ?? false;
      if (signIn && (inSignIn || !prompt)) {
        e.preventDefault();
        void cancelSignIn(signIn).then(setOutcome);
      } else if (prompt) {
        e.preventDefault();
        void cancel();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  async function send(typed: string) {
    if (!prompt || checking) return;
    const asked = prompt;
    setCode('');
    setFieldError(null);
    setOutcome(null);
    setChecking(true);
    try {
      const answer = await call('prompt.answer', { id: asked.id, code: typed });
      if (answer.result === 'rejected') {
        setFieldError(`${answer.message}. Enter the next code.`.replace(/\.\. /, '. '));
        setTimeout(() => input.current?.focus(), 0);
      } else if (answer.result === 'served') {
        setOutcome({ kind: 'ok', text: `AWS accepted the code: ${who(asked)} has the ${asked.requestedProfile ?? asked.profile} credentials.` });
      } else if (answer.result === 'handed-over') {
        setOutcome({ kind: 'ok', text: `The code went to ${who(asked)}.` });
      } else if (answer.result === 'failed') {
        setOutcome({ kind: 'error', text: answer.message });
      } else {
        setOutcome({ kind: 'error', text: 'That request is no longer waiting: it was cancelled or it timed out.' });
      }
    } catch (err) {
      // A code that is not six digits, say: the request is still open.
      setFieldError(messageOf(err));
      setTimeout(() => input.current?.focus(), 0);
    } finally {
      setChecking(false);
      await reload();
    }
  }

  async function cancel() {
    if (!prompt) return;
    const asked = prompt;
    await call('prompt.cancel', { id: asked.id }).catch(() => undefined);
    setOutcome({ kind: 'ok', text: `Cancelled: ${who(asked)} was told no code is coming.` });
    await reload();
  }

  const waited = prompt ? Math.max(0, Math.floor((now - prompt.requestedAt) / 1000)) : 0;
  const remaining = prompt ? Math.max(0, Math.floor((prompt.expiresAt - now) / 1000)) : 0;
  const both = !!prompt && !!signIn;
  // The window's title names what waits, for the task switcher and screen readers.
  const title = both ? 'Keytray — sign-in and MFA code' : signIn ? 'Keytray — continue in your browser' : 'Keytray — MFA code';
  useEffect(() => {
    document.title = title;
  }, [title]);

  return (
    <main className="prompt-window">
      {both ? (
        <h1 tabIndex={-1}>Two requests are waiting</h1>
      ) : signIn ? null : (
        <h1 tabIndex={-1}>{prompt ? 'A program asks for an MFA code' : 'No request is waiting'}</h1>
      )}
      {signIn && (
        <div ref={signInSection}>
          <BrowserSignInPanel signIn={signIn} now={now} heading={both ? 'h2' : 'h1'} headingRef={signInHeading} onOutcome={setOutcome} />
        </div>
      )}
      {!prompt && !signIn && loaded && (
        <p className="muted" data-testid="prompt-empty">
          When a program asks Keytray for credentials that need an MFA code, or a sign-in waits for your browser, the request shows here with the program that asked.
        </p>
      )}
      {both && <h2 className="mfa-heading">A program asks for an MFA code</h2>}
      {prompt && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const typed = typedMfaCode(code);
            if (typed) void send(typed);
          }}
        >
          <dl className="prompt-facts">
            <dt>Requested by</dt>
            <dd data-testid="prompt-requester">
              {prompt.requester ? (
                <>
                  <strong className="process-name">{prompt.requester.name ?? 'a program'}</strong> <span className="muted">pid {prompt.requester.pid}</span>
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
            <dt>Profile</dt>
            <dd data-testid="prompt-profile">{prompt.requestedProfile ? `${prompt.requestedProfile} (via ${prompt.profile})` : prompt.profile}</dd>
            {prompt.roleArn && (
              <>
                <dt>Role</dt>
                <dd>
                  <code>{prompt.roleArn}</code>
                </dd>
              </>
            )}
            {prompt.account && (
              <>
                <dt>Account</dt>
                <dd>{prompt.account}</dd>
              </>
            )}
            <dt>MFA device</dt>
            <dd>
              <code>{prompt.serial}</code>
            </dd>
            <dt>Waiting</dt>
            <dd data-testid="prompt-clock">
              {minutesSeconds(waited)}; gives up at {clockTime(prompt.expiresAt)} (in {minutesSeconds(remaining)})
            </dd>
          </dl>
          <div className={`field${fieldError ? ' has-error' : ''}`}>
            <label htmlFor="prompt-code">Code from your MFA device</label>
            <input
              id="prompt-code"
              ref={input}
              className="code-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              value={code}
              disabled={checking || prompt.state === 'checking'}
              aria-invalid={fieldError ? true : undefined}
              onChange={(e) => {
                setCode(e.target.value);
                setFieldError(null);
                // Six digits are a whole code: sending it saves a keystroke while the code is fresh.
                const typed = typedMfaCode(e.target.value);
                if (typed) void send(typed);
              }}
              aria-describedby={fieldError ? 'prompt-code-error prompt-code-hint' : 'prompt-code-hint'}
            />
            {fieldError && (
              <p id="prompt-code-error" className="field-error" role="alert">
                {fieldError}
              </p>
            )}
            <p id="prompt-code-hint" className="field-hint">
              Only enter it if you started this request. Six digits send it; Escape cancels.
            </p>
          </div>
          {(checking || prompt.state === 'checking') && (
            <p className="muted" role="status">
              Checking the code with AWS…
            </p>
          )}
          <div className="form-actions">
            <button type="submit" className="primary" disabled={typedMfaCode(code) === null || checking}>
              Send code
            </button>
            <button type="button" onClick={() => void cancel()}>
              Cancel request
            </button>
          </div>
          {prompt.queued > 0 && <p className="muted">{prompt.queued} more request(s) waiting.</p>}
        </form>
      )}
      <p className={`status ${outcome?.kind ?? ''}`} role={outcome?.kind === 'error' ? 'alert' : 'status'}>
        {outcome?.text ?? ''}
      </p>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </main>
  );
}

function who(p: PromptView): string {
  return p.requester ? `${p.requester.name ?? 'the program'} (pid ${p.requester.pid})` : 'the program';
}
