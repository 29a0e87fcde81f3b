/** One polite live region per view: results are announced without stealing focus. */
export function StatusLine({ status }: { status: { kind: 'ok' | 'error'; text: string } | null }) {
  return (
    <p className={`status ${status?.kind ?? ''}`} role={status?.kind === 'error' ? 'alert' : 'status'} aria-live="polite">
      {status?.text ?? ''}
    </p>
  );
}
