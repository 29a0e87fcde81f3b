import { useCallback, useEffect, useState } from 'react';
import { call, messageOf, subscribe, type ProfileList } from './keytrayApi';

/**
 * The profile list as main last sent it: loaded once, then replaced by each pushed `state.changed`.
 * `reload` is for right after the window's own action, so the result shows even where no push
 * arrives (it is never called by a timer).
 */
export function useProfileList(): { list: ProfileList | null; receivedAt: number; error: string | null; reload(): Promise<void> } {
  const [state, setState] = useState<{ list: ProfileList | null; receivedAt: number; error: string | null }>({ list: null, receivedAt: 0, error: null });
  const reload = useCallback(async () => {
    try {
      const list = await call('profiles.list', {});
      setState({ list, receivedAt: Date.now(), error: null });
    } catch (err) {
      setState((s) => ({ ...s, error: messageOf(err) }));
    }
  }, []);
  useEffect(() => {
    void reload();
    return subscribe('state.changed', (list) => setState({ list, receivedAt: Date.now(), error: null }));
  }, [reload]);
  return { ...state, reload };
}
