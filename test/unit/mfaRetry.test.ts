import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeytrayError } from '../../electron/core/errors';
import type { MfaCodeProvider } from '../../electron/core/mfa/mfaCodeSources';
import { askPersonAgainOnRejectedCode, MAX_MFA_ATTEMPTS } from '../../electron/core/mfa/mfaRetry';
import { MfaPromptBroker } from '../../electron/desktop/mfaPromptBroker';

/** Stands in for STS: only `right` is accepted, anything else is refused as STS refuses a code. */
function stsAccepting(right: string, calls: string[]) {
  return async (mfa: MfaCodeProvider) => {
    const code = await mfa({ profile: 'alice', requestedProfile: 'admin', serial: 'arn:aws:iam::111111111111:mfa/alice' });
    calls.push(code);
    if (code !== right) throw new KeytrayError('mfa-invalid', 'STS rejected the MFA code for AssumeRole: MultiFactorAuthentication failed with invalid MFA one time pass code', { profile: 'alice' });
    return 'credentials';
  };
}

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check());
};

describe('asking a person again after STS refuses their code', () => {
  it('keeps one prompt open, shows the reason, and serves the caller with the next code', async () => {
    const shown: string[] = [];
    const broker = new MfaPromptBroker({ show: () => void shown.push('show'), hide: () => void shown.push('hide') });
    const calls: string[] = [];
    const result = askPersonAgainOnRejectedCode({ before: [], person: broker, now: Date.now, run: stsAccepting('222222', calls) });
    await waitFor(() => broker.current() !== null);
    const first = broker.current()!;
    assert.deepEqual(await broker.answer(first.id, '111111'), { result: 'rejected', message: 'STS rejected the MFA code for AssumeRole: MultiFactorAuthentication failed with invalid MFA one time pass code' });
    const again = broker.current()!;
    assert.equal(again.id, first.id);
    assert.equal(again.requestedAt, first.requestedAt, 'the request keeps its place and its deadline');
    assert.match(again.error ?? '', /STS rejected the MFA code/);
    assert.deepEqual(await broker.answer(first.id, '222222'), { result: 'served' });
    assert.equal(await result, 'credentials');
    assert.deepEqual(calls, ['111111', '222222']);
    assert.equal(broker.current(), null);
    assert.equal(shown.at(-1), 'hide');
  });

  it('does not ask again for a code that came from --mfa-code or mfa_process: the same command gives the same code', async () => {
    const broker = new MfaPromptBroker({ show: () => undefined, hide: () => undefined });
    const calls: string[] = [];
    await assert.rejects(
      askPersonAgainOnRejectedCode({ before: [async () => '111111'], person: broker, now: Date.now, run: stsAccepting('222222', calls) }),
      /STS rejected the MFA code/,
    );
    assert.deepEqual(calls, ['111111']);
    assert.equal(broker.current(), null, 'no prompt was shown');
  });

  it('ends on Cancel with the cancel error, and after too many refused codes with STS\'s', async () => {
    const broker = new MfaPromptBroker({ show: () => undefined, hide: () => undefined });
    const cancelled = askPersonAgainOnRejectedCode({ before: [], person: broker, now: Date.now, run: stsAccepting('222222', []) });
    await waitFor(() => broker.current() !== null);
    await broker.answer(broker.current()!.id, '111111');
    broker.cancel(broker.current()!.id);
    await assert.rejects(cancelled, /MFA cancelled in the Keytray window/);

    const calls: string[] = [];
    const guessing = askPersonAgainOnRejectedCode({ before: [], person: broker, now: Date.now, run: stsAccepting('999999', calls) });
    const answers: Array<{ result: string }> = [];
    for (let i = 0; i < MAX_MFA_ATTEMPTS; i++) {
      await waitFor(() => broker.current()?.state === 'waiting');
      answers.push(await broker.answer(broker.current()!.id, String(100000 + i)));
    }
    await assert.rejects(guessing, /STS rejected the MFA code/);
    assert.equal(calls.length, MAX_MFA_ATTEMPTS);
    assert.equal(answers.at(-1)?.result, 'failed', 'the window is told the request failed, not that it worked');
    assert.equal(broker.current(), null);
  });

  it('gives up at the deadline of the first ask, not a fresh one after each refused code', async () => {
    let now = 1_000_000;
    const broker = new MfaPromptBroker({ show: () => undefined, hide: () => undefined }, { now: () => now, timeoutMs: 200 });
    const run = askPersonAgainOnRejectedCode({ before: [], person: broker, now: () => now, run: stsAccepting('222222', []) });
    await waitFor(() => broker.current() !== null);
    assert.equal(broker.current()!.expiresAt, 1_000_200);
    now += 150;
    await broker.answer(broker.current()!.id, '111111');
    assert.equal(broker.current()!.expiresAt, 1_000_200);
    // The broker's timer does not hold the process open (unref); this one does, while the test waits.
    const keepAlive = setTimeout(() => undefined, 5_000);
    await assert.rejects(run, /MFA cancelled: no code was accepted in the Keytray window/);
    clearTimeout(keepAlive);
  });
});
