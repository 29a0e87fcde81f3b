import { useState, type Ref } from 'react';
import { call, messageOf, type BrowserSignInView } from '../keytrayApi';
import { clockTime, minutesSeconds } from '../sessionClock';

/** "IAM Identity Center session corp", "AWS Sign-In for profile alice": what is being signed in to. */
export function signInSubject(s: BrowserSignInView): string {
  return s.service === 'IAM Identity Center' ? `IAM Identity Center session ${s.target}` : `AWS Sign-In for profile ${s.target}`;
}

/** Cancels a sign-in and words what happened; the program that asked is told by main. */
export async function cancelSignIn(s: BrowserSignInView): Promise<{ kind: 'ok' | 'error'; text: string }> {
  try {
    const r = await call('signin.cancel', { id: s.id });
    return r.cancelled
      ? { kind: 'ok', text: `Cancelled the sign-in to ${signInSubject(s)}.` }
      : { kind: 'error', text: `The sign-in to ${signInSubject(s)} was no longer waiting: it had finished or given up.` };
  } catch (err) {
    return { kind: 'error', text: messageOf(err) };
  }
}

/**
 * A browser sign-in in progress: continue in the browser, and for device authorization the code
 * to compare with the page before approving. The page's address with its state never reaches the
 * window, so "Open the page again" asks main to open it. `compact` is the main window's inline
 * form; the prompt window shows everything, the requesting program included.
 */
export function BrowserSignInPanel(props: {
  signIn: BrowserSignInView;
  now: number;
  heading: 'h1' | 'h2' | 'none';
  headingRef?: Ref<HTMLHeadingElement>;
  compact?: boolean;
  /** Told what happened when Cancel or Open the page again was pressed, for the view's own status line. */
  onOutcome?(outcome: { kind: 'ok' | 'error'; text: string }): void;
}) {
  const { signIn: s } = props;
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const remaining = Math.max(0, Math.floor((s.expiresAt - props.now) / 1000));
  const headingId = `signin-heading-${s.id}`;
  const Heading = props.heading === 'none' ? null : props.heading;

  async function act(channel: 'signin.cancel' | 'signin.reopen') {
    setError(null);
    setWorking(true);
    try {
      if (channel === 'signin.cancel') {
        props.onOutcome?.(await cancelSignIn(s));
      } else {
        const r = await call('signin.reopen', { id: s.id });
        if (!r.opened) setError(`The sign-in page for ${signInSubject(s)} could not be opened again: the sign-in is no longer waiting.`);
      }
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setWorking(false);
    }
  }

  return (
    <section
      className={`browser-signin${props.compact ? ' compact' : ''}`}
      aria-labelledby={Heading ? headingId : undefined}
      aria-label={Heading ? undefined : `Sign-in to ${signInSubject(s)}`}
      data-testid="browser-signin"
    >
      {Heading && (
        <Heading id={headingId} ref={props.headingRef} tabIndex={-1}>
          Continue in your browser
        </Heading>
      )}
      <p className="signin-subject">
        {props.compact ? 'Continue in your browser: signing' : 'Signing'} in to <strong>{s.service}</strong>{' '}
        {s.service === 'IAM Identity Center' ? 'session' : 'for profile'} <strong className="ellipsis" title={s.target}>{s.target}</strong>.
      </p>
      {!props.compact && (s.requester || s.requestedProfile) && (
        <dl className="prompt-facts">
          {s.requester && (
            <>
              <dt>Requested by</dt>
              <dd data-testid="signin-requester">
                <strong className="process-name">{s.requester.name ?? 'a program'}</strong> <span className="muted">pid {s.requester.pid}</span>
                {s.requester.command && (
                  <>
                    <br />
                    <code className="command">{s.requester.command}</code>
                  </>
                )}
              </dd>
            </>
          )}
          {s.requestedProfile && (
            <>
              <dt>For profile</dt>
              <dd>{s.requestedProfile}</dd>
            </>
          )}
        </dl>
      )}
      {s.mode === 'device' && s.userCode ? (
        <div className="device-code">
          <p id={`signin-code-hint-${s.id}`}>Check that the page shows this code before you approve:</p>
          <p className="user-code" data-testid="signin-user-code" aria-describedby={`signin-code-hint-${s.id}`}>
            {s.userCode}
          </p>
          {s.verificationUri && (
            <p className="muted">
              On any device, open <code>{s.verificationUri}</code> and enter the code.
            </p>
          )}
        </div>
      ) : (
        <p className="muted">Finish the sign-in in the browser window that opened. If you closed it, open the page again.</p>
      )}
      <p className="muted small" data-testid="signin-clock">
        Gives up at {clockTime(s.expiresAt)}
        {props.compact ? '' : ` (in ${minutesSeconds(remaining)})`}.
      </p>
      <div className="actions">
        <button type="button" disabled={working} onClick={() => void act('signin.reopen')}>
          Open the page again
        </button>
        <button type="button" disabled={working} onClick={() => void act('signin.cancel')}>
          Cancel sign-in
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!props.compact && s.queued > 0 && <p className="muted">{s.queued === 1 ? '1 more sign-in is waiting.' : `${s.queued} more sign-ins are waiting.`}</p>}
    </section>
  );
}
