import { useEffect, useState } from 'react';

/** Views are hash routes (#profiles, #edit/NAME, #prompt) so the page never navigates away. */
export function useHashRoute(): [string, string | undefined] {
  const read = () => decodeURIComponent(window.location.hash.replace(/^#\/?/, ''));
  const [hash, setHash] = useState(read);
  useEffect(() => {
    const onChange = () => setHash(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const [view, arg] = hash.split('/', 2);
  return [view || 'profiles', arg];
}

export function go(view: string, arg?: string): void {
  window.location.hash = arg === undefined ? view : `${view}/${encodeURIComponent(arg)}`;
}
