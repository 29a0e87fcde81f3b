/**
 * Shows a request's warnings, on a terminal only: under the AWS CLI a credential_process helper's
 * stderr is captured and shown as an error. process.stderr is touched only when there is something
 * to say, since creating the stream costs the fast path time.
 */
export function showWarnings(warnings: readonly string[]): void {
  if (warnings.length === 0 || !process.stderr.isTTY) return;
  for (const w of warnings) process.stderr.write(`${w}\n`);
}
