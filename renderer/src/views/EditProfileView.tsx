import { useEffect, useState } from 'react';
import { call, messageOf, type ProfileDetails } from '../keytrayApi';
import { RoleForm } from './RoleForm';
import { UserForm } from './UserForm';

/** Loads a profile's current (non-secret) settings and opens the matching form. */
export function EditProfileView({ profile }: { profile: string }) {
  const [details, setDetails] = useState<ProfileDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call('profiles.details', { profile }).then(setDetails, (e) => setError(messageOf(e)));
  }, [profile]);
  if (error) {
    return (
      <section>
        <h1 tabIndex={-1}>Edit {profile}</h1>
        <p role="alert" className="error">
          {error}
        </p>
      </section>
    );
  }
  if (!details) return <p aria-busy="true">Loading {profile}…</p>;
  return details.kind === 'role' ? <RoleForm details={details} /> : <UserForm details={details} />;
}
