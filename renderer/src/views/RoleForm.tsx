import { useEffect, useState } from 'react';
import { Field } from '../components/Field';
import { StatusLine } from '../components/StatusLine';
import { ApiError, call, messageOf, type ProfileDetails } from '../keytrayApi';
import { useFormValidation } from '../useFormValidation';
import { go } from '../useHashRoute';

const ROLE_FIELDS = ['roleArn', 'sourceProfile', 'mfaSerial', 'externalId', 'roleSessionName', 'durationSeconds', 'region'] as const;
const ROLE_FIELD_IDS: Record<string, string> = {
  profile: 'role-profile',
  roleArn: 'role-arn',
  sourceProfile: 'role-source',
  mfaSerial: 'role-mfa-serial',
  externalId: 'role-external-id',
  roleSessionName: 'role-session-name',
  durationSeconds: 'role-duration',
  region: 'role-region',
};

/** Add or edit a role profile; saved to ~/.aws/config through core's lossless writer. */
export function RoleForm({ details }: { details?: ProfileDetails }) {
  const editing = !!details;
  const [profile, setProfile] = useState(details?.profile ?? '');
  const [fields, setFields] = useState<Record<string, string>>(() => Object.fromEntries(ROLE_FIELDS.map((f) => [f, details?.fields[f] ?? ''])));
  const [sources, setSources] = useState<string[]>([]);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const v = useFormValidation('role', !editing, profile, fields);

  useEffect(() => {
    call('profiles.list', {}).then(
      (list) => setSources(list.profiles.filter((p) => p.inConfig && p.name !== details?.profile).map((p) => p.name)),
      () => undefined,
    );
  }, [details?.profile]);

  const bind = (name: (typeof ROLE_FIELDS)[number]) => ({
    value: fields[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setFields((f) => ({ ...f, [name]: e.target.value })),
    onBlur: () => v.touch(name),
    error: v.shown(name),
  });

  function focusFirstError(errors: Record<string, string>) {
    const first = ['profile', ...ROLE_FIELDS].find((f) => errors[f]);
    if (first) setTimeout(() => document.getElementById(ROLE_FIELD_IDS[first])?.focus(), 0);
  }

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    v.markSubmitted();
    setStatus(null);
    if (Object.keys(v.errors).length > 0) {
      focusFirstError(v.errors);
      return;
    }
    setBusy(true);
    try {
      await call('profiles.saveRole', {
        profile,
        isNew: !editing,
        roleArn: fields.roleArn,
        sourceProfile: fields.sourceProfile,
        mfaSerial: fields.mfaSerial,
        externalId: fields.externalId,
        roleSessionName: fields.roleSessionName,
        durationSeconds: fields.durationSeconds,
        region: fields.region,
      });
      setStatus({ kind: 'ok', text: `Saved ${profile}.` });
      if (!editing) go('profiles');
    } catch (err) {
      // A field's message is shown at the field only, and focus goes there; other failures above the buttons.
      if (err instanceof ApiError && err.fields) {
        v.setServerErrors(err.fields);
        focusFirstError(err.fields);
      } else setStatus({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  const source = bind('sourceProfile');
  return (
    <section aria-labelledby="role-form-heading">
      <h1 id="role-form-heading" tabIndex={-1}>
        {editing ? `Edit ${profile}` : 'Add a role'}
      </h1>
      <p className="lead">A role profile assumes an IAM role with the credentials of its source profile.</p>
      {details?.managedByKeytray && (
        <p className="muted">This profile is served through credential_process; its settings are kept under keytray_ keys.</p>
      )}
      <form
        onSubmit={submit}
        noValidate
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            go('profiles');
          }
        }}
      >
        <Field
          id="role-profile"
          maxLength={128}
          label="Profile name"
          value={profile}
          readOnly={editing}
          onChange={(e) => setProfile(e.target.value)}
          onBlur={() => v.touch('profile')}
          error={v.shown('profile')}
          hint={editing ? undefined : 'e.g. prod-admin'}
          required
        />
        <Field id="role-arn" maxLength={2048} label="Role ARN" placeholder="arn:aws:iam::123456789012:role/Admin" {...bind('roleArn')} required />
        <div className={`field${source.error ? ' has-error' : ''}`}>
          <label htmlFor="role-source">Source profile</label>
          <select
            id="role-source"
            value={source.value}
            onChange={source.onChange}
            onBlur={source.onBlur}
            aria-invalid={source.error ? true : undefined}
            aria-describedby={source.error ? 'role-source-error' : 'role-source-hint'}
            required
          >
            <option value="">Choose a profile…</option>
            {[...new Set([...sources, ...(fields.sourceProfile ? [fields.sourceProfile] : [])])].map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          {source.error && (
            <p id="role-source-error" className="field-error">
              {source.error}
            </p>
          )}
          <p id="role-source-hint" className="field-hint">
            The profile whose credentials assume this role: a user profile, or another role for chaining.
          </p>
        </div>
        <Field
          id="role-mfa-serial"
          label="MFA device (optional)"
          placeholder="arn:aws:iam::123456789012:mfa/alice"
          hint="Leave empty to use the source profile's MFA session."
          {...bind('mfaSerial')}
        />
        <Field id="role-duration" label="Session duration in seconds (optional)" inputMode="numeric" placeholder="3600" hint="900 to 43200. Chained roles are capped at 3600 by AWS." {...bind('durationSeconds')} />
        <Field id="role-external-id" label="External ID (optional)" {...bind('externalId')} />
        <Field id="role-session-name" label="Session name (optional)" hint="Shown in CloudTrail; keytray-USER by default." {...bind('roleSessionName')} />
        <Field id="role-region" label="Region (optional)" placeholder="eu-west-1" {...bind('region')} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {editing ? 'Save' : 'Add role'}
          </button>
          <button type="button" onClick={() => go('profiles')}>
            Cancel
          </button>
        </div>
        <StatusLine status={status} />
      </form>
    </section>
  );
}
