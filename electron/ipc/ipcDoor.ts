import type { z } from 'zod';
import { asKeytrayError, KeytrayError, oneLine } from '../core/errors';
import { IPC_PREFIX, isChannel, type Channel } from './channels';
import { FIELD_LABELS, requestSchemas, type FieldErrors, type IpcError, type IpcResult, type ResponseOf } from './contract';
import type { IpcSenderEvent } from './senderValidation';

/**
 * The door every IPC call goes through, in Electron and in the dev:web harness alike: known channel,
 * trusted sender (Electron only), schema-valid payload, then the handler; whatever the handler
 * throws comes back as an error value with one plain, secret-free line.
 */

export type ParsedRequest<C extends Channel> = z.output<(typeof requestSchemas)[C]>;

export type HandlerTable = {
  [C in Channel]: (request: ParsedRequest<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

/** A form that failed validation: the renderer shows each message next to its field. */
export class FormError extends KeytrayError {
  constructor(
    readonly fields: FieldErrors,
    profile?: string,
  ) {
    // Validation messages end with a full stop; toLine adds the profile and its own.
    super('config-invalid', (Object.values(fields)[0] ?? 'The form has errors').replace(/\.$/, ''), { profile, hint: 'Correct the marked fields.' });
  }
}

export async function callHandler(table: HandlerTable, channel: unknown, payload: unknown): Promise<IpcResult<unknown>> {
  if (!isChannel(channel)) return failure('ipc-invalid', 'Unknown IPC channel');
  const parsed = requestSchemas[channel].safeParse(payload ?? {});
  if (!parsed.success) {
    // A form field past its limit is the user's to fix: say so at the field, in words, not in schema terms.
    const fields = fieldMessagesOf(parsed.error);
    if (fields) return { ok: false, error: { code: 'config-invalid', message: Object.values(fields)[0], fields } };
    return failure('ipc-invalid', describeSchemaFailure(channel, parsed.error));
  }
  try {
    const handler = table[channel] as (request: unknown) => unknown;
    return { ok: true, value: await handler(parsed.data) };
  } catch (err) {
    return { ok: false, error: toIpcError(err) };
  }
}

/** The minimal ipcMain surface; Electron's ipcMain satisfies it, tests pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderEvent, payload: unknown) => Promise<unknown>): void;
}

export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  table: HandlerTable,
  isTrusted: (event: IpcSenderEvent) => boolean,
  onRejected: (channel: string, reason: string) => void = () => {},
): void {
  for (const channel of Object.keys(table) as Channel[]) {
    ipcMain.handle(IPC_PREFIX + channel, async (event, payload) => {
      if (!isTrusted(event)) {
        onRejected(channel, 'untrusted sender');
        return failure('ipc-forbidden', 'This window may not use Keytray');
      }
      return callHandler(table, channel, payload);
    });
  }
}

export function toIpcError(err: unknown): IpcError {
  const e = err instanceof KeytrayError ? err : asKeytrayError(err);
  const error: IpcError = { code: e.code, message: redactSecrets(e.toLine()) };
  if (e instanceof FormError) error.fields = e.fields;
  return error;
}

/**
 * Defence in depth: core already masks key IDs, but an unexpected error from a library could quote
 * a request. Access key IDs keep their last 4 characters; long base64 runs (secrets, session
 * tokens) are cut out entirely.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{8,}([A-Z0-9]{4})\b/g, (_m, last4: string) => `****${last4}`)
    .replace(/[A-Za-z0-9/+=]{32,}/g, '[redacted]');
}

/** Messages for limits a user can reach by typing, one per field; null when an issue is not about a form field. */
function fieldMessagesOf(error: z.ZodError): FieldErrors | null {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field !== 'string' || !(field in FIELD_LABELS)) return null;
    if (issue.path.length > 1 && field !== 'fields') return null;
    const name = field === 'fields' && typeof issue.path[1] === 'string' ? issue.path[1] : field;
    const label = FIELD_LABELS[name] ?? FIELD_LABELS[field];
    if (issue.code === 'too_big' && 'maximum' in issue) fields[name] ??= `${label} can be at most ${String(issue.maximum)} characters.`;
    else if (issue.code === 'too_small') fields[name] ??= `Enter ${label.replace(/^The /, 'the ')}.`;
    else return null;
  }
  return Object.keys(fields).length > 0 ? fields : null;
}

function describeSchemaFailure(channel: Channel, error: z.ZodError): string {
  // Zod's messages name the field and the expected type, never the received value, so they are safe.
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return oneLine(`Invalid request for ${channel}${where}: ${issue?.message ?? 'malformed payload'}`);
}

function failure(code: string, message: string): IpcResult<never> {
  return { ok: false, error: { code, message } };
}
