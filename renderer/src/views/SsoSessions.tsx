import { useEffect, useRef, useState, type Ref } from 'react';
import { BrowserSignInPanel } from '../components/BrowserSignInPanel';
import { call, messageOf, outcomeOf, type BrowserSignInView, type SsoPopulateResult, type SsoSessionRow } from '../keytrayApi';
import { ssoSessionNow, type Status } from '../sessionClock';
import { signInFor } from '../useBrowserSignIn';

/** What a session row asked its detail to do. `nonce` makes a repeat click count. */
export interface SsoRequest {
  action: 'sign-in' | 'sign-out';
  session: string;
  nonce: number;
}

/**
 * The config's [sso-session] sections above the profile list: each with its time left, its start
 * URL, how many profiles sign in through it, what is wrong with it, and Sign in or Sign out.
 */
export function SsoSessionList(props: {
  sessions: SsoSessionRow[];
  elapsed: number;
  selected: string | null;
  signIn: BrowserSignInView | null;
  onSelect(name: string): void;
  onAction(name: string, action: SsoRequest['action']): void;
}) {
  return (
    <section className="sso-sessions" aria-labelledby="sso-heading">
      <h2 id="sso-heading">IAM Identity Center</h2>
      <ul className="sso-rows" aria-label="IAM Identity Center sessions">
        {props.sessions.map((s) => {
          const now = ssoSessionNow(s, props.elapsed);
          const waiting = !!signInFor(props.signIn, 'IAM Identity Center', s.name);
          const action = now.signedIn ? 'sign-out' : 'sign-in';
          const label = waiting ? 'Signing in…' : now.signedIn ? 'Sign out' : 'Sign in';
          return (
            <li key={s.name} className={`sso-row${props.selected === s.name ? ' selected' : ''}`} data-sso-session={s.name}>
              <button type="button" className="row-select" aria-current={props.selected === s.name ? 'true' : undefined} title={s.name} onClick={() => props.onSelect(s.name)}>
                <span className="row-line">
                  <span className="name">{s.name}</span>
                  <span className={`time-text${now.signedIn ? ' live' : ''}`} data-testid="sso-time-left">
                    {now.text}
                  </span>
                </span>
                <span className="row-meta">{[s.startUrl, s.profiles.length === 1 ? '1 profile' : `${s.profiles.length} profiles`].filter(Boolean).join(' · ')}</span>
                {s.problem && <span className="row-problem">{s.problem}</span>}
              </button>
              <button
                type="button"
                className="row-action"
                // While its sign-in waits the button keeps focus (a disabled one would drop it to the
                // page), so it is marked unavailable rather than disabled.
                disabled={!!s.problem && !now.signedIn}
                aria-disabled={waiting || undefined}
                aria-label={`${label.replace('…', '')}: ${s.name}`}
                onClick={() => !waiting && props.onAction(s.name, action)}
              >
                {label}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/**
 * One IAM Identity Center session and every action on it, in the detail pane: sign in (in this
 * computer's browser, or with a code on another device), sign out, and "Add profiles for my
 * accounts", which previews what `sso populate` would write before it writes anything.
 */
export function SsoSessionDetail(props: {
  session: SsoSessionRow;
  elapsed: number;
  now: number;
  signIn: BrowserSignInView | null;
  request: SsoRequest | null;
  /** The config file as the list names it (under ~), which is the file populate writes. */
  configFileShown: string;
  onDone(status: Status): void;
}) {
  const { session: s } = props;
  const state = ssoSessionNow(s, props.elapsed);
  const [busy, setBusy] = useState<Busy>(null);
  const [status, setStatus] = useState<Status>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);
  const mine = signInFor(props.signIn, 'IAM Identity Center', s.name);

  useEffect(() => {
    if (props.request) void (props.request.action === 'sign-in' ? signIn(false) : signOut());
    // Only a new request (its nonce) starts a run.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.request?.nonce]);

  /**
   * Says how an action ended. An error takes focus; so does a success when the button pressed is
   * gone (Sign in becomes Sign out), so the keyboard stays in the pane instead of on the page.
   */
  function say(next: Status) {
    setStatus(next);
    setTimeout(() => {
      const lost = !document.activeElement || document.activeElement === document.body;
      if (next?.kind === 'error' || (next && lost)) statusRef.current?.focus();
    }, 0);
  }

  async function signIn(deviceCode: boolean) {
    setBusy('sign-in');
    say(null);
    try {
      const r = await call('sso.signIn', { session: s.name, deviceCode: deviceCode || undefined });
      say({ kind: 'ok', text: `Signed in to IAM Identity Center session ${r.session}: ${r.timeLeftText}${r.renews ? ', and Keytray renews it by itself' : ''}.` });
      props.onDone(null);
    } catch (err) {
      say(outcomeOf(err));
    } finally {
      setBusy(null);
    }
  }

  async function signOut() {
    setBusy('sign-out');
    say(null);
    try {
      const r = await call('sso.signOut', { session: s.name });
      const cleared = r.clearedProfiles.length;
      say({
        kind: 'ok',
        text: r.hadToken
          ? `Signed out of ${r.session}; its tokens${cleared ? ` and the credentials of ${cleared === 1 ? '1 profile' : `${cleared} profiles`}` : ''} are gone from the keychain.`
          : `${r.session} was not signed in; nothing was kept for it.`,
      });
      props.onDone(null);
    } catch (err) {
      say({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="detail" aria-labelledby="sso-detail-heading">
      <h2 id="sso-detail-heading" className="ellipsis" title={s.name}>
        {s.name}
      </h2>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>IAM Identity Center session</dd>
        {s.startUrl && (
          <>
            <dt>Start URL</dt>
            <dd>
              <code className="wrap">{s.startUrl}</code>
            </dd>
          </>
        )}
        {s.region && (
          <>
            <dt>Region</dt>
            <dd>{s.region}</dd>
          </>
        )}
        <dt>Signed in</dt>
        <dd data-testid="sso-detail-time-left">{state.text}</dd>
        <dt>Profiles</dt>
        <dd>{s.profiles.length === 0 ? 'none yet' : s.profiles.length <= 6 ? s.profiles.join(', ') : `${s.profiles.slice(0, 5).join(', ')} and ${s.profiles.length - 5} more`}</dd>
      </dl>
      {s.problem && (
        <p className="warn" data-testid="sso-problem">
          {s.problem}
        </p>
      )}

      <div className="detail-actions">
        {state.signedIn ? (
          <button type="button" disabled={!!busy} onClick={() => void signOut()}>
            Sign out
          </button>
        ) : (
          <>
            <button type="button" className="primary" disabled={!!busy || !!s.problem} onClick={() => void signIn(false)}>
              Sign in
            </button>
            <button type="button" disabled={!!busy || !!s.problem} onClick={() => void signIn(true)}>
              Sign in with a code…
            </button>
          </>
        )}
      </div>
      {busy === 'sign-in' &&
        (mine ? (
          <BrowserSignInPanel signIn={mine} now={props.now} heading="none" compact onOutcome={say} />
        ) : (
          <p className="muted" role="status">
            Continue in your browser…
          </p>
        ))}
      {busy === 'sign-out' && (
        <p className="muted" role="status">
          Signing out…
        </p>
      )}
      <p ref={statusRef} tabIndex={-1} className={`status ${status?.kind ?? ''}`} role={status?.kind === 'error' ? 'alert' : 'status'}>
        {status?.text ?? ''}
      </p>

      <PopulateProfiles session={s} configFileShown={props.configFileShown} signedIn={state.signedIn} busy={busy} setBusy={setBusy} signIn={mine} now={props.now} onApplied={() => props.onDone(null)} />
    </section>
  );
}

type Busy = null | 'sign-in' | 'sign-out' | 'preview' | 'apply';

/**
 * "Add profiles for my accounts": a preview (a dry run: nothing is written) of the profiles a
 * sign-in's accounts and roles would give, then Apply. The preview is dropped when the prefix or
 * the prune choice changes, so Apply always writes what was shown.
 */
function PopulateProfiles(props: {
  session: SsoSessionRow;
  configFileShown: string;
  signedIn: boolean;
  busy: Busy;
  setBusy(b: Busy): void;
  signIn: BrowserSignInView | null;
  now: number;
  onApplied(): void;
}) {
  const { session: s } = props;
  const [prefix, setPrefix] = useState('');
  const [prune, setPrune] = useState(false);
  const [preview, setPreview] = useState<SsoPopulateResult | null>(null);
  const [result, setResult] = useState<Status>(null);
  const resultRef = useRef<HTMLParagraphElement>(null);
  const previewRef = useRef<HTMLHeadingElement>(null);
  const id = `populate-${s.name}`;

  async function populate(dryRun: boolean) {
    props.setBusy(dryRun ? 'preview' : 'apply');
    setResult(null);
    try {
      const r = await call('sso.populate', { session: s.name, prefix: prefix.trim() || undefined, prune: prune || undefined, dryRun });
      if (dryRun) {
        setPreview(r);
        setTimeout(() => previewRef.current?.focus(), 0);
      } else {
        setPreview(null);
        setResult({ kind: 'ok', text: appliedText(r, props.configFileShown) });
        setTimeout(() => resultRef.current?.focus(), 0);
        props.onApplied();
      }
    } catch (err) {
      setResult(outcomeOf(err));
      setTimeout(() => resultRef.current?.focus(), 0);
    } finally {
      props.setBusy(null);
    }
  }

  const changes = preview ? preview.added.length + (prune ? preview.gone.length : 0) : 0;
  return (
    <fieldset className="populate">
      <legend>Add profiles for my accounts</legend>
      <p className="field-hint">A profile for every account and role IAM Identity Center gives you, served through credential_process. Preview first: nothing is written until Apply.</p>
      <div className="field">
        <label htmlFor={`${id}-prefix`}>Name prefix (optional)</label>
        <input
          id={`${id}-prefix`}
          value={prefix}
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-prefix-hint`}
          onChange={(e) => {
            setPrefix(e.target.value);
            setPreview(null);
          }}
        />
        <p id={`${id}-prefix-hint`} className="field-hint">
          Put before each new profile's name, e.g. <code>work-</code>; it also avoids names other profiles have.
        </p>
      </div>
      <div className="check">
        <input
          type="checkbox"
          id={`${id}-prune`}
          checked={prune}
          onChange={(e) => {
            setPrune(e.target.checked);
            setPreview(null);
          }}
        />
        <label htmlFor={`${id}-prune`}>Remove profiles no longer assigned</label>
      </div>
      <div className="actions">
        <button type="button" disabled={!!props.busy || !!s.problem} aria-describedby={props.signedIn ? undefined : `${id}-needs-sign-in`} onClick={() => void populate(true)}>
          {props.busy === 'preview' ? 'Listing your accounts…' : 'Preview'}
        </button>
        {preview && (
          <button type="button" className="primary" disabled={!!props.busy || changes === 0} onClick={() => void populate(false)}>
            {props.busy === 'apply' ? 'Writing…' : 'Apply'}
          </button>
        )}
      </div>
      {!props.signedIn && (
        <p id={`${id}-needs-sign-in`} className="field-hint">
          The accounts and roles come from IAM Identity Center: Preview signs you in first, in your browser.
        </p>
      )}
      {(props.busy === 'preview' || props.busy === 'apply') && props.signIn && <BrowserSignInPanel signIn={props.signIn} now={props.now} heading="none" compact />}
      {preview && <PopulatePreview preview={preview} prune={prune} configFileShown={props.configFileShown} headingRef={previewRef} />}
      <p ref={resultRef} tabIndex={-1} className={`status ${result?.kind ?? ''}`} role={result?.kind === 'error' ? 'alert' : 'status'} data-testid="populate-result">
        {result?.text ?? ''}
      </p>
    </fieldset>
  );
}

function PopulatePreview({ preview: r, prune, configFileShown, headingRef }: { preview: SsoPopulateResult; prune: boolean; configFileShown: string; headingRef: Ref<HTMLHeadingElement> }) {
  const nothing = r.added.length === 0 && r.nameTaken.length === 0 && r.gone.length === 0;
  return (
    <div className="populate-preview" data-testid="populate-preview">
      <h3 ref={headingRef} tabIndex={-1}>
        {nothing ? 'Nothing to add' : 'Preview'}
      </h3>
      {r.added.length > 0 && (
        <>
          <p>Would add {count(r.added.length)}:</p>
          <ul className="plan added">
            {r.added.map((a) => (
              <li key={a.profile}>
                <strong>{a.profile}</strong> <span className="muted">({a.accountName} {a.accountId}, {a.roleName})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {r.nameTaken.length > 0 && (
        <>
          <p className="warn">Skipped, because another profile has the name ({count(r.nameTaken.length)}; a prefix avoids it):</p>
          <ul className="plan">
            {r.nameTaken.map((a) => (
              <li key={`${a.accountId}/${a.roleName}`}>
                <strong>{a.profile}</strong> <span className="muted">({a.accountName} {a.accountId}, {a.roleName})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {r.gone.length > 0 && (
        <>
          <p>{prune ? `Would remove ${count(r.gone.length)} no longer assigned:` : `No longer assigned (${count(r.gone.length)}; kept unless you choose to remove them):`}</p>
          <ul className="plan">
            {r.gone.map((g) => (
              <li key={g.profile}>
                <strong>{g.profile}</strong> <span className="muted">(account {g.accountId}, {g.roleName})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="muted">
        {r.kept === 1 ? '1 profile is' : `${r.kept} profiles are`} already up to date in <code>{configFileShown}</code>.
      </p>
    </div>
  );
}

function count(n: number): string {
  return n === 1 ? '1 profile' : `${n} profiles`;
}

function appliedText(r: SsoPopulateResult, configFile: string): string {
  const parts: string[] = [];
  if (r.added.length) parts.push(`added ${count(r.added.length)}`);
  if (r.removed && r.gone.length) parts.push(`removed ${count(r.gone.length)}`);
  if (r.nameTaken.length) parts.push(`skipped ${count(r.nameTaken.length)} whose name is taken`);
  const kept = `${r.kept === 1 ? '1 profile' : `${r.kept} profiles`} already up to date`;
  return parts.length ? `Done in ${configFile}: ${parts.join(', ')}; ${kept}.` : `No changes: ${kept} in ${configFile}.`;
}
