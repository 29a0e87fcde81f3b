import { useRef, useState } from 'react';
import { Field } from '../components/Field';
import { StatusLine } from '../components/StatusLine';
import { ApiError, call, messageOf, type ProfileDetails } from '../keytrayApi';
import { useFormValidation } from '../useFormValidation';
import { go } from '../useHashRoute';

/**
 * Add an IAM user's access key, or edit a user profile's settings. The key fields are uncontrolled:
 * their text is never copied into React state, so React never mirrors it into a DOM attribute; it
 * is read on submit and sent to main. The inputs are emptied once the key is stored, and the secret
 * after main refused it; an error in another field leaves it, so it need not be pasted again.
 */
const FIELD_IDS: Record<string, string> = {
  profile: 'user-profile',
  accessKeyId: 'user-access-key-id',
  secretAccessKey: 'user-secret-access-key',
  region: 'user-region',
  mfaSerial: 'user-mfa-serial',
  mfaProcess: 'user-mfa-process',
};

export function UserForm({ details, initialProfile }: { details?: ProfileDetails; initialProfile?: string }) {
  const editing = !!details;
  const [profile, setProfile] = useState(details?.profile ?? initialProfile ?? '');
  const [fields, setFields] = useState<Record<string, string>>({
    region: details?.fields.region ?? '',
    mfaSerial: details?.fields.mfaSerial ?? '',
    mfaProcess: details?.fields.mfaProcess ?? '',
  });
  const accessKeyIdRef = useRef<HTMLInputElement>(null);
  const secretRef = useRef<HTMLInputElement>(null);
  const [keyErrors, setKeyErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmReplace, setConfirmReplace] = useState<string | null>(null);
  const v = useFormValidation('user', !editing, profile, fields);
  const set = (name: string) => (e: React.ChangeEvent<HTMLInputElement>) => setFields((f) => ({ ...f, [name]: e.target.value }));

  /** Focus goes to the first field that failed, where its message is; nothing else repeats it. */
  function focusFirstError(errors: Record<string, string>) {
    const order = ['profile', 'accessKeyId', 'secretAccessKey', 'region', 'mfaSerial', 'mfaProcess'];
    const first = order.find((f) => errors[f]);
    if (first) setTimeout(() => document.getElementById(FIELD_IDS[first])?.focus(), 0);
  }

  async function submit(e: React.FormEvent, replace = false) {
    e.preventDefault();
    v.markSubmitted();
    setStatus(null);
    setKeyErrors({});
    setConfirmReplace(null);
    if (Object.keys(v.errors).length > 0) {
      focusFirstError(v.errors);
      return;
    }
    setBusy(true);
    try {
      if (editing) {
        await call('profiles.saveUser', { profile, ...fields });
        setStatus({ kind: 'ok', text: `Saved ${profile}.` });
      } else {
        const accessKeyId = accessKeyIdRef.current?.value ?? '';
        const secretAccessKey = secretRef.current?.value ?? '';
        if (!accessKeyId || !secretAccessKey) {
          const missing = {
            ...(accessKeyId ? {} : { accessKeyId: 'Enter the access key ID (AKIA…).' }),
            ...(secretAccessKey ? {} : { secretAccessKey: 'Enter the secret access key.' }),
          };
          setKeyErrors(missing);
          focusFirstError(missing);
          return;
        }
        const result = await call('profiles.addUser', { profile, accessKeyId, secretAccessKey, ...fields, ...(replace ? { replace: true } : {}) });
        // Stored: the key leaves the page.
        if (accessKeyIdRef.current) accessKeyIdRef.current.value = '';
        if (secretRef.current) secretRef.current.value = '';
        setStatus({ kind: 'ok', text: `${result.replaced ? 'Replaced the key of' : 'Stored key for'} ${result.profile}: ${result.accessKeyIdHint} is in the keychain.` });
        go('profiles');
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'key-replace-unconfirmed') {
        // Ask first; the typed key stays in its fields for the confirmed second attempt.
        setConfirmReplace(err.message);
        return;
      }
      if (err instanceof ApiError && err.fields) {
        const { accessKeyId, secretAccessKey, ...rest } = err.fields;
        setKeyErrors({ ...(accessKeyId ? { accessKeyId } : {}), ...(secretAccessKey ? { secretAccessKey } : {}) });
        // A refused secret is typed again; a problem elsewhere keeps it, so nothing is pasted twice.
        if (secretAccessKey && secretRef.current) secretRef.current.value = '';
        v.setServerErrors(rest);
        focusFirstError(err.fields);
      } else {
        setStatus({ kind: 'error', text: messageOf(err) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="user-form-heading">
      <h1 id="user-form-heading" tabIndex={-1}>
        {editing ? `Edit ${profile}` : 'Add an access key'}
      </h1>
      <p className="lead">
        {editing
          ? 'A user profile owns a long-term IAM access key, kept in the system keychain.'
          : 'The key goes into the system keychain, never into ~/.aws/credentials. Keytray turns it into short-lived sessions.'}
      </p>
      <form
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-describedby="user-form-status"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            if (confirmReplace) setConfirmReplace(null);
            else go('profiles');
          }
        }}
      >
        <Field
          id="user-profile"
          maxLength={128}
          label="Profile name"
          value={profile}
          readOnly={editing}
          onChange={(e) => setProfile(e.target.value)}
          onBlur={() => v.touch('profile')}
          error={v.shown('profile')}
          hint={editing ? undefined : 'The name in ~/.aws/config, e.g. work. A stored key is only replaced after you confirm.'}
          required
        />
        {!editing && (
          <>
            <Field
              id="user-access-key-id"
              maxLength={128}
              label="Access key ID"
              ref={accessKeyIdRef}
              autoComplete="off"
              placeholder="AKIA…"
              error={keyErrors.accessKeyId}
              required
            />
            <Field
              id="user-secret-access-key"
              maxLength={256}
              label="Secret access key"
              ref={secretRef}
              type="password"
              autoComplete="new-password"
              error={keyErrors.secretAccessKey}
              hint="Sent to the keychain once; this window never shows it again."
              required
            />
          </>
        )}
        {editing && details?.hasKey && (
          <p className="muted">
            Stored key: <code>{details.accessKeyIdHint}</code>.{' '}
            <a href={`#add-user/${encodeURIComponent(profile)}`}>Replace the key</a>
          </p>
        )}
        <Field id="user-region" maxLength={64} label="Region (optional)" value={fields.region} onChange={set('region')} onBlur={() => v.touch('region')} error={v.shown('region')} placeholder="eu-west-1" />
        <Field
          id="user-mfa-serial"
          maxLength={2048}
          label="MFA device (optional)"
          value={fields.mfaSerial}
          onChange={set('mfaSerial')}
          onBlur={() => v.touch('mfaSerial')}
          error={v.shown('mfaSerial')}
          placeholder="arn:aws:iam::123456789012:mfa/alice"
          hint="With an MFA device, sessions are started with GetSessionToken and a code."
        />
        <Field
          id="user-mfa-process"
          maxLength={2048}
          onBlur={() => v.touch('mfaProcess')}
          error={v.shown('mfaProcess')}
          label="MFA code command (optional)"
          value={fields.mfaProcess}
          onChange={set('mfaProcess')}
          placeholder="ykman oath accounts code -s aws"
          hint="A command that prints the current code, used instead of asking you."
        />
        {confirmReplace && (
          <div className="confirm" role="group" aria-labelledby="confirm-replace">
            <p id="confirm-replace">{confirmReplace}</p>
            <div className="actions">
              <button type="button" className="danger" autoFocus disabled={busy} onClick={(e) => void submit(e, true)}>
                Replace key
              </button>
              <button type="button" onClick={() => setConfirmReplace(null)}>
                Keep the stored key
              </button>
            </div>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {editing ? 'Save' : 'Store key'}
          </button>
          <button type="button" onClick={() => go('profiles')}>
            Cancel
          </button>
        </div>
        <div id="user-form-status">
          <StatusLine status={status} />
        </div>
      </form>
    </section>
  );
}
