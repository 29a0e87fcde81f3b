import { useRef, useState } from 'react';
import { Field } from '../components/Field';
import { StatusLine } from '../components/StatusLine';
import { ApiError, call, messageOf, type ProfileDetails } from '../keytrayApi';
import { useFormValidation } from '../useFormValidation';
import { go } from '../useHashRoute';

/**
 * Add an IAM user's access key, or edit a user profile's settings. The key fields are uncontrolled:
 * their text is never copied into React state, so React never mirrors it into a DOM attribute; it
 * is read once on submit, sent to main, and the inputs are emptied whatever the outcome.
 */
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
  const v = useFormValidation('user', !editing, profile, fields);
  const set = (name: string) => (e: React.ChangeEvent<HTMLInputElement>) => setFields((f) => ({ ...f, [name]: e.target.value }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    v.markSubmitted();
    setStatus(null);
    setKeyErrors({});
    if (Object.keys(v.errors).length > 0) {
      setStatus({ kind: 'error', text: 'Correct the marked fields.' });
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
        // Read once, then gone from the page before the request is even answered.
        if (secretRef.current) secretRef.current.value = '';
        if (!accessKeyId || !secretAccessKey) {
          setKeyErrors({
            ...(accessKeyId ? {} : { accessKeyId: 'Enter the access key ID (AKIA…).' }),
            ...(secretAccessKey ? {} : { secretAccessKey: 'Enter the secret access key.' }),
          });
          return;
        }
        const result = await call('profiles.addUser', { profile, accessKeyId, secretAccessKey, ...fields });
        if (accessKeyIdRef.current) accessKeyIdRef.current.value = '';
        setStatus({ kind: 'ok', text: `Stored key ${result.accessKeyIdHint} for ${result.profile} in the keychain.` });
        go('profiles');
      }
    } catch (err) {
      if (err instanceof ApiError && err.fields) {
        const { accessKeyId, secretAccessKey, ...rest } = err.fields;
        setKeyErrors({ ...(accessKeyId ? { accessKeyId } : {}), ...(secretAccessKey ? { secretAccessKey } : {}) });
        v.setServerErrors(rest);
      }
      setStatus({ kind: 'error', text: messageOf(err) });
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
      <form onSubmit={submit} noValidate aria-describedby="user-form-status">
        <Field
          id="user-profile"
          label="Profile name"
          value={profile}
          readOnly={editing}
          onChange={(e) => setProfile(e.target.value)}
          onBlur={() => v.touch('profile')}
          error={v.shown('profile')}
          hint={editing ? undefined : 'The name in ~/.aws/config, e.g. work. An existing profile gets its key replaced.'}
          required
        />
        {!editing && (
          <>
            <Field
              id="user-access-key-id"
              label="Access key ID"
              ref={accessKeyIdRef}
              autoComplete="off"
              placeholder="AKIA…"
              error={keyErrors.accessKeyId}
              required
            />
            <Field
              id="user-secret-access-key"
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
        <Field id="user-region" label="Region (optional)" value={fields.region} onChange={set('region')} onBlur={() => v.touch('region')} error={v.shown('region')} placeholder="eu-west-1" />
        <Field
          id="user-mfa-serial"
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
          label="MFA code command (optional)"
          value={fields.mfaProcess}
          onChange={set('mfaProcess')}
          placeholder="ykman oath accounts code -s aws"
          hint="A command that prints the current code, used instead of asking you."
        />
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
