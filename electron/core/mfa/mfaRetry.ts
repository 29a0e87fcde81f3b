import { randomUUID } from 'node:crypto';
import { asKeytrayError } from '../errors';
import { mfaCodeProvider, type MfaCodeProvider, type MfaCodeRequest, type MfaCodeSource, type MfaConversation } from './mfaCodeSources';

/** How a request that a person typed a code for ended; the prompt window says it, never more. */
export type MfaConversationOutcome = { ok: true } | { ok: false; message: string };

/** A prompt a person answers (the app's window): it can be asked again and told how things ended. */
export interface PersonMfaPrompter {
  ask(request: MfaCodeRequest): Promise<string>;
  finished?(conversationId: string, outcome: MfaConversationOutcome): void;
}

/** A typo or a stale code is worth another try; anything else (trust policy, keys) is not. */
const RETRYABLE_CODES = new Set(['mfa-invalid', 'mfa-reused']);

/** Past this many refused codes the request fails: a person guessing is not a person with the device. */
export const MAX_MFA_ATTEMPTS = 5;

/**
 * Runs a credential request whose last MFA source is a person, and asks that person again when STS
 * refuses the code they typed, instead of failing the program that asked. Codes from `--mfa-code`
 * or `mfa_process` are not retried: asking a command again within 30 s gives the same refused code.
 * The prompter's own cancel and timeout end the loop, so it always ends.
 */
export async function askPersonAgainOnRejectedCode<T>(options: {
  /** Sources tried first on the first attempt only (`--mfa-code` is single use; mfa_process repeats itself). */
  before: MfaCodeSource[];
  person: PersonMfaPrompter;
  now: () => number;
  run: (mfa: MfaCodeProvider) => Promise<T>;
  maxAttempts?: number;
}): Promise<T> {
  const max = options.maxAttempts ?? MAX_MFA_ATTEMPTS;
  let conversation: MfaConversation | undefined;
  for (let attempt = 1; ; attempt++) {
    let personTyped = false;
    const person: MfaCodeSource = async (request) => {
      conversation ??= { id: randomUUID(), firstAskedAt: options.now() };
      personTyped = true;
      return options.person.ask({ ...request, conversation });
    };
    try {
      const result = await options.run(mfaCodeProvider(attempt === 1 ? [...options.before, person] : [person]));
      if (conversation) options.person.finished?.(conversation.id, { ok: true });
      return result;
    } catch (err) {
      const failure = asKeytrayError(err);
      if (personTyped && conversation && RETRYABLE_CODES.has(failure.code) && attempt < max) {
        conversation = { ...conversation, rejectedBecause: failure.message };
        continue;
      }
      if (conversation) options.person.finished?.(conversation.id, { ok: false, message: failure.toLine() });
      throw err;
    }
  }
}
