import { useEffect, useState } from 'react';
import { ApiError, call, type FieldErrors } from './keytrayApi';

/**
 * Inline validation by the same rules main applies on save (core's validation.ts, run in main
 * through the `profiles.validate` channel), so a form that shows no error saves. Messages show for
 * fields the user has left, or for all of them after a submit attempt.
 */
export function useFormValidation(form: 'user' | 'role', isNew: boolean, profile: string, fields: Record<string, string>) {
  const [inline, setErrors] = useState<FieldErrors>({});
  // A failed save's messages, kept for the values that were saved: an inline check answering late
  // for the same values must not wipe them. Typing anything clears them.
  const [server, setServer] = useState<{ key: string; errors: FieldErrors }>({ key: '', errors: {} });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const key = JSON.stringify([profile, fields]);
  const errors = server.key === key ? { ...inline, ...server.errors } : inline;

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      call('profiles.validate', { form, isNew, profile, fields }).then(
        (e) => current && setErrors(e),
        // A field past its limit comes back as a message for that field: show it, not the last one.
        (err: unknown) => current && err instanceof ApiError && err.fields && setErrors(err.fields),
      );
    }, 120);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // `key` stands for profile and fields by value.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [form, isNew, key]);

  return {
    errors,
    /** The message to show now for a field. */
    shown: (field: string): string | undefined => (submitted || touched[field] ? errors[field] : undefined),
    touch: (field: string) => setTouched((t) => (t[field] ? t : { ...t, [field]: true })),
    markSubmitted: () => setSubmitted(true),
    /** Errors from a failed save (the server's answer wins over the last inline check). */
    setServerErrors: (e: FieldErrors) => {
      setSubmitted(true);
      setServer({ key, errors: e });
    },
  };
}
