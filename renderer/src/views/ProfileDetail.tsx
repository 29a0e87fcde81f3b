import { useEffect, useRef, useState } from 'react';
import { BrowserSignInPanel } from '../components/BrowserSignInPanel';
import { MfaCodeForm } from '../components/MfaCodeForm';
import { call, messageOf, outcomeOf, type BrowserSignInView, type ImportCandidate, type KeyCheck, type MfaNeeded, type ProfileRow } from '../keytrayApi';
import { go } from '../useHashRoute';
import { signInSessionNow, type sessionNow, type Status } from '../sessionClock';

/** An action the list asked the detail pane to run (the row's Start or Sign in). `nonce` makes a repeat click count. */
export interface DetailRequest {
  action: 'start' | 'login-sign-in';
  profile: string;
  nonce: number;
}

type CodeAction = 'start' | 'copy' | 'console' | 'rotate';
type Pending = { action: CodeAction; serial: string; error?: string };
type Confirm = 'remove' | 'rotate' | null;

const CODE_ACTION_LABEL: Record<CodeAction, string> = { start: 'Start session', copy: 'Copy env', console: 'Open console', rotate: 'Rotate key' };

/**
 * Everything about one profile and every action on it. Failures show here, next to what the user
 * just did: a refused MFA code under the code field (which stays open for the next code), a failed
 * check or rotation in this pane's own status line. The one primary button is the session's.
 */
export function ProfileDetail(props: {
  profile: ProfileRow;
  session: ReturnType<typeof sessionNow>;
  /** Seconds since the list was built, and the local clock, for the times that count down. */
  elapsed: number;
  now: number;
  /**
   * The browser sign-in main is waiting on for this profile, if any: its own (AWS Sign-In), or its
   * IAM Identity Center session's, which starting a session of a signed-out SSO profile opens.
   */
  signIn: BrowserSignInView | null;
  /** A long-term key for this profile still in plaintext in a credentials file. */
  plaintext?: ImportCandidate;
  request: DetailRequest | null;
  onDone(status: Status, refocusRow: boolean): void;
  onRemoved(): void;
}) {
  const { profile: p, session } = props;
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [check, setCheck] = useState<KeyCheck | null>(null);
  const [signingIn, setSigningIn] = useState(false);
  const statusRef = useRef<HTMLParagraphElement>(null);
  // A login profile has credentials exactly when signed in (`keytray login`), as in the tray.
  const signedIn = p.kind === 'login' && p.sessionSecondsLeft !== null;
  const usable = p.kind === 'login' ? signedIn : p.kind !== 'user' || p.hasKey;

  useEffect(() => {
    if (props.request) void (props.request.action === 'login-sign-in' ? loginSignIn() : run(props.request.action));
    // Only a new request (its nonce) starts a run.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.request?.nonce]);

  function fail(err: unknown) {
    setStatus(outcomeOf(err));
    setTimeout(() => statusRef.current?.focus(), 0);
  }

  /** Runs an action that may need an MFA code; a refused code keeps the code form open with STS's reason. */
  async function run(action: CodeAction, mfaCode?: string) {
    setBusy(true);
    setStatus(null);
    try {
      const result =
        action === 'start'
          ? await call('sessions.start', { profile: p.name, mfaCode })
          : action === 'copy'
            ? await call('env.copy', { profile: p.name, mfaCode })
            : action === 'console'
              ? await call('console.open', { profile: p.name, mfaCode })
              : await call('keys.rotate', { profile: p.name, mfaCode });
      if (result.status === 'mfa-needed') {
        setPending({ action, serial: (result as MfaNeeded).serial });
        return;
      }
      setPending(null);
      const text =
        result.status === 'started'
          ? `Session for ${p.name} started${result.secondsLeft ? `: ${result.timeLeftText}` : ''}.`
          : result.status === 'copied'
            ? `Env export for ${p.name} copied; the clipboard clears in ${result.clearsAfterSeconds} s.`
            : result.status === 'opened'
              ? `Opened the AWS console as ${p.name}.`
              : `Rotated the key of ${p.name}: ${result.accessKeyIdHint} works and ${result.oldAccessKeyIdHint} is deleted at AWS.`;
      props.onDone({ kind: 'ok', text }, action === 'start');
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (mfaCode && pending && (code === 'mfa-invalid' || code === 'mfa-reused' || code === 'mfa-required')) {
        // The code was refused: say why at the code field and keep it open for the next code.
        setPending({ ...pending, error: messageOf(err) });
      } else {
        setPending(null);
        fail(err);
      }
    } finally {
      setBusy(false);
    }
  }

  /** AWS Sign-In in the browser; the call returns once the browser came back (or gave up). */
  async function loginSignIn() {
    setStatus(null);
    setBusy(true);
    setSigningIn(true);
    try {
      const r = await call('login.signIn', { profile: p.name });
      props.onDone({ kind: 'ok', text: `Signed in to ${r.profile} as ${r.principal}${r.addedSection ? `; added [profile ${r.profile}] to the config` : ''}.` }, true);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
      setSigningIn(false);
    }
  }

  async function simple(work: () => Promise<string>) {
    setStatus(null);
    setBusy(true);
    try {
      props.onDone({ kind: 'ok', text: await work() }, true);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  }

  async function checkKey() {
    setStatus(null);
    setCheck(null);
    setBusy(true);
    try {
      setCheck(await call('keys.check', { profile: p.name }));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setConfirm(null);
    setBusy(true);
    try {
      const r = await call('profiles.remove', { profile: p.name });
      const forgotten = [r.removedKey && 'the key', r.forgotSignIn && 'the sign-in', `${r.clearedSessions.length} session(s)`].filter(Boolean).join(' and ');
      props.onDone({ kind: 'ok', text: `Removed ${forgotten} of ${p.name}.` }, false);
      props.onRemoved();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="detail" aria-labelledby="detail-heading" onKeyDown={(e) => e.key === 'Escape' && confirm && (e.stopPropagation(), setConfirm(null))}>
      <h2 id="detail-heading" className="ellipsis" title={p.name}>
        {p.name}
      </h2>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{p.kind === 'role' ? 'Role' : p.kind === 'sso' ? 'IAM Identity Center role' : p.kind === 'login' ? 'AWS Sign-In' : 'IAM user'}</dd>
        {p.account && (
          <>
            <dt>Account</dt>
            <dd>{p.account}</dd>
          </>
        )}
        {p.roleArn && (
          <>
            <dt>Role ARN</dt>
            <dd>
              <code className="wrap">{p.roleArn}</code>
            </dd>
          </>
        )}
        {p.sourceProfile && (
          <>
            <dt>Assumed via</dt>
            <dd>{p.sourceProfile === p.group ? p.sourceProfile : `${p.sourceProfile}, from ${p.group}`}</dd>
          </>
        )}
        {p.mfaSerial && (
          <>
            <dt>MFA device</dt>
            <dd>
              <code className="wrap">{p.mfaSerial}</code>
            </dd>
          </>
        )}
        {p.region && (
          <>
            <dt>Region</dt>
            <dd>{p.region}</dd>
          </>
        )}
        {p.kind === 'user' && (
          <>
            <dt>Access key</dt>
            <dd>
              {p.hasKey ? (
                <>
                  <code>{p.accessKeyIdHint}</code>
                  {p.keyStoredAt && <span className="muted"> · stored {new Date(p.keyStoredAt).toLocaleDateString()}</span>}
                </>
              ) : props.plaintext ? (
                <>
                  <span className="warn">
                    Key <code>{props.plaintext.accessKeyIdHint}</code> is in plaintext in <code>{props.plaintext.file}</code>
                  </span>{' '}
                  <button type="button" onClick={() => go('import')}>
                    Import it
                  </button>
                </>
              ) : (
                <span className="warn">No key stored</span>
              )}
            </dd>
          </>
        )}
        {p.kind === 'login' && (
          <>
            <dt>Signed in as</dt>
            <dd data-testid="detail-principal">{p.loginPrincipal ? <code className="wrap">{p.loginPrincipal}</code> : 'not signed in'}</dd>
            <dt>Sign-in session</dt>
            <dd data-testid="detail-signin-session">{signedIn ? signInSessionNow(p, props.elapsed) : 'not signed in'}</dd>
          </>
        )}
        <dt>{p.kind === 'login' ? 'Credentials' : 'Session'}</dt>
        <dd data-testid="detail-session">{session.live ? `${session.text}, ${session.until}` : session.text}</dd>
      </dl>

      <div className="detail-actions">
        {p.kind === 'login' && !signedIn ? (
          <button type="button" className="primary" disabled={busy || !p.inConfig} onClick={() => void loginSignIn()}>
            Sign in
          </button>
        ) : session.live ? (
          <button type="button" className="primary" disabled={busy} onClick={() => void simple(async () => (await call('sessions.end', { profile: p.name }), `Ended the session for ${p.name}.`))}>
            End session
          </button>
        ) : (
          <button type="button" className="primary" disabled={!usable || busy} onClick={() => void run('start')}>
            Start session
          </button>
        )}
        <button
          type="button"
          aria-pressed={p.active}
          disabled={!p.inConfig || busy}
          onClick={() =>
            void simple(async () => {
              await call('profiles.makeActive', { profile: p.active ? null : p.name });
              return p.active ? 'Cleared the active profile.' : `${p.name} is now the active profile.`;
            })
          }
        >
          {p.active ? 'Active' : 'Make active'}
        </button>
        <button type="button" aria-pressed={p.pinned} onClick={() => void simple(async () => (await call('profiles.pin', { profile: p.name, pinned: !p.pinned }), p.pinned ? `Unpinned ${p.name}.` : `Pinned ${p.name}.`))}>
          {p.pinned ? 'Pinned' : 'Pin'}
        </button>
        <button type="button" disabled={!usable || busy} onClick={() => void run('copy')}>
          Copy env
        </button>
        <button type="button" disabled={!usable || p.kind === 'login' || busy} onClick={() => void run('console')}>
          Console
        </button>
        <button type="button" disabled={!p.inConfig} onClick={() => go('edit', p.name)}>
          Edit
        </button>
      </div>

      {p.kind === 'login' && signedIn && (
        <div className="detail-actions login-actions">
          <button type="button" disabled={busy} onClick={() => void loginSignIn()}>
            Sign in again
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void simple(async () => {
                const r = await call('login.signOut', { profile: p.name });
                return r.hadSession ? `Signed out of ${r.profile}; its sign-in and credentials are gone from the keychain.` : `${r.profile} was not signed in.`;
              })
            }
          >
            Sign out
          </button>
        </div>
      )}
      {busy && !signingIn && props.signIn && <BrowserSignInPanel signIn={props.signIn} now={props.now} heading="none" compact onOutcome={(o) => setStatus(o)} />}
      {signingIn &&
        (props.signIn ? (
          <BrowserSignInPanel signIn={props.signIn} now={props.now} heading="none" compact onOutcome={(o) => setStatus(o)} />
        ) : (
          <p className="muted" role="status">
            Continue in your browser…
          </p>
        ))}

      {pending && (
        <MfaCodeForm
          id={`mfa-${p.name}`}
          profile={p.name}
          serial={pending.serial}
          busy={busy}
          error={pending.error}
          submitLabel={CODE_ACTION_LABEL[pending.action]}
          onSubmit={(code) => void run(pending.action, code)}
          onCancel={() => {
            setPending(null);
            props.onDone(null, true);
          }}
        />
      )}

      <p ref={statusRef} tabIndex={-1} className={`status ${status?.kind ?? ''}`} role={status?.kind === 'error' ? 'alert' : 'status'}>
        {status?.text ?? ''}
      </p>

      {p.inConfig && (
        <div className="check">
          <input
            type="checkbox"
            role="switch"
            id={`setup-${p.name}`}
            checked={p.managedByKeytray}
            disabled={busy}
            onChange={(e) => {
              const enabled = e.target.checked;
              void simple(async () => {
                const r = await call('setup.toggle', { profile: p.name, enabled });
                return r.managedByKeytray ? `${p.name} is now served through credential_process.` : `${p.name} is back to its own settings.`;
              });
            }}
          />
          <label htmlFor={`setup-${p.name}`}>Serve to the AWS CLI and SDKs through credential_process</label>
        </div>
      )}

      {p.kind === 'user' && (
        <fieldset className="key-tools">
          <legend>Access key</legend>
          <div className="actions">
            {p.hasKey && (
              <button type="button" disabled={busy} onClick={() => void checkKey()}>
                Check key
              </button>
            )}
            {p.hasKey && (
              <button type="button" disabled={busy} onClick={() => setConfirm('rotate')}>
                Rotate key…
              </button>
            )}
            <button type="button" onClick={() => go('add-user', p.name)}>
              {p.hasKey ? 'Replace key…' : 'Add key'}
            </button>
          </div>
          {check && (
            <p className="key-check" role="status">
              Key <code>{check.accessKeyIdHint}</code> belongs to {check.userName ? <strong>{check.userName}</strong> : <code>{check.arn}</code>} in account {check.account}
              {check.createdAt ? `, created ${new Date(check.createdAt).toLocaleDateString()} (${ageInDays(check.createdAt)})` : check.storedAt ? `, stored ${new Date(check.storedAt).toLocaleDateString()}` : ''}.
            </p>
          )}
          {confirm === 'rotate' && (
            <div className="confirm" role="group" aria-labelledby="confirm-rotate">
              <p id="confirm-rotate">Create a new key for {p.name}, check it works, then delete the old one at AWS?</p>
              <div className="actions">
                <button type="button" className="danger" autoFocus onClick={() => (setConfirm(null), void run('rotate'))}>
                  Rotate
                </button>
                <button type="button" onClick={() => setConfirm(null)}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </fieldset>
      )}

      {(p.hasKey || session.live) && (
        <div className="remove">
          {confirm === 'remove' ? (
            <div className="confirm" role="group" aria-labelledby="confirm-remove">
              <p id="confirm-remove">
                Delete {p.hasKey ? 'the stored key and ' : ''}the sessions of {p.name}? The section in the config file stays.
              </p>
              <div className="actions">
                <button type="button" className="danger" autoFocus onClick={() => void remove()}>
                  Remove
                </button>
                <button type="button" onClick={() => setConfirm(null)}>
                  Cancel
                </button>
              </div>
            </div>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirm('remove')}>
              Remove from Keytray…
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function ageInDays(createdAt: number): string {
  const days = Math.floor((Date.now() - createdAt) / 86_400_000);
  return days === 0 ? 'today' : days === 1 ? '1 day old' : `${days} days old`;
}
