import { useEffect, useState } from 'react';
import { call, subscribe, type BrowserSignInView } from './keytrayApi';

/**
 * The browser sign-in main is waiting on (the head of its queue), or null: read once, then
 * replaced by each pushed `signin.changed`. Subscribed before the read, so a change between the two
 * is not lost; a read that answers after a push is dropped, since the push is newer.
 */
export function useBrowserSignIn(): BrowserSignInView | null {
  const [signIn, setSignIn] = useState<BrowserSignInView | null>(null);
  useEffect(() => {
    let pushed = false;
    const unsubscribe = subscribe('signin.changed', (view) => {
      pushed = true;
      setSignIn(view);
    });
    call('signin.current', {}).then(
      (view) => {
        if (!pushed) setSignIn(view);
      },
      // The sign-in shows on the next push; a failed read leaves nothing stale on screen.
      () => undefined,
    );
    return unsubscribe;
  }, []);
  return signIn;
}

/** Whether a sign-in is the one a Sign in button of this session or profile started. */
export function signInFor(signIn: BrowserSignInView | null, service: BrowserSignInView['service'], target: string): BrowserSignInView | null {
  return signIn && signIn.service === service && signIn.target === target ? signIn : null;
}
