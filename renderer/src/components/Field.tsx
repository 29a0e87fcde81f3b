import { forwardRef, type InputHTMLAttributes, type ReactNode } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
}

/**
 * A labelled input whose hint and error are tied to it with aria-describedby, so a screen reader
 * reads the message with the field. Pass `value`/`onChange` for a controlled field, or a ref and
 * no value for one whose text must never be mirrored into React state or the DOM (secrets).
 */
export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field({ id, label, hint, error, ...input }, ref) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={ref}
        aria-invalid={error ? true : undefined}
        aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        {...input}
      />
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
});
