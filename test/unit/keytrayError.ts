import assert from 'node:assert/strict';
import { KeytrayError } from '../../electron/core/errors';

/** Runs `fn` and returns the KeytrayError it throws, so a test can check what the user would read. */
export function keytrayError(fn: () => unknown): KeytrayError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof KeytrayError, String(err));
    return err;
  }
  assert.fail('expected a KeytrayError');
}
