import { useEffect, useRef, useState } from 'react';

/** The code as typed, without the space people put between its halves; null until it is six digits. */
export function typedMfaCode(text: string): string | null {
  const code = text.replace(/\s+/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/**
 * Asks for the six digits of the current MFA code. The code is one-time, so it may live in state
 * while typed; it is dropped as soon as it is submitted.
 */
export function MfaCodeForm(props: {
  id: string;
  profile: string;
  serial: string;
  busy: boolean;
  onSubmit(code: string): void;
  onCancel(): void;
  submitLabel?: string;
  /** Why the last code was refused; shown at the field, and the field takes focus for the next code. */
  error?: string;
}) {
  const [code, setCode] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [props.error]);
  const errorId = `${props.id}-error`;
  const typed = typedMfaCode(code);
  return (
    <form
      className="mfa-form"
      aria-label={`MFA code for ${props.profile}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (typed === null || props.busy) return;
        setCode('');
        props.onSubmit(typed);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          props.onCancel();
        }
      }}
    >
      <label htmlFor={props.id}>
        MFA code for <strong>{props.profile}</strong>
      </label>
      <p className="field-hint" id={`${props.id}-hint`}>
        Device: <code>{props.serial}</code>
      </p>
      <div className="row">
        <input
          id={props.id}
          ref={input}
          className="code-input"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9 ]*"
          maxLength={7}
          aria-describedby={props.error ? `${errorId} ${props.id}-hint` : `${props.id}-hint`}
          aria-invalid={props.error ? true : undefined}
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <button type="submit" className="primary" disabled={typed === null || props.busy}>
          {props.submitLabel ?? 'Continue'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      {props.error && (
        <p id={errorId} className="field-error" role="alert">
          {props.error}
        </p>
      )}
    </form>
  );
}
