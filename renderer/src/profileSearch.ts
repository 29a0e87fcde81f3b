import type { ProfileRow } from './keytrayApi';

/**
 * What a search matches a profile by: its name, account ID and account name, role (or IAM Identity
 * Center permission set), and the group its chain ends at (a user, or an account by name).
 */
export function searchTextOf(p: ProfileRow): string[] {
  const role = p.roleArn ? p.roleArn.slice(p.roleArn.lastIndexOf('/') + 1) : (p.ssoRoleName ?? '');
  return [p.name, p.account ?? '', p.accountName ?? '', role, p.group, p.sourceProfile ?? ''].map((t) => t.toLowerCase());
}

/**
 * A subsequence score: every character of `query` must appear in order in `text`. Runs of adjacent
 * characters and matches at the start of a word score higher, so "adm" ranks "admin" above
 * "a-dev-mgmt", and a typo-free prefix beats a scattered match.
 */
export function fuzzyScore(query: string, text: string): number {
  if (!query) return 0;
  const exact = text.indexOf(query);
  if (exact >= 0) return 1000 - exact + (exact === 0 || /[\W_]/.test(text[exact - 1]) ? 200 : 0);
  let score = 0;
  let run = 0;
  let from = 0;
  for (const ch of query) {
    const at = text.indexOf(ch, from);
    if (at < 0) return -1;
    run = at === from ? run + 1 : 0;
    score += 1 + run * 3 + (at === 0 || /[\W_]/.test(text[at - 1]) ? 5 : 0);
    from = at + 1;
  }
  return score;
}

/** Every word of the query must match one of the profile's fields; the best field's score counts. */
export function matchProfile(query: string, haystack: string[]): number {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  let total = 0;
  for (const word of words) {
    // The profile's own name counts double: "alice" finds alice before the roles assumed through her.
    const best = Math.max(...haystack.map((h, i) => {
      const score = fuzzyScore(word, h);
      return score < 0 ? -1 : i === 0 ? score * 2 + (h === word ? 1000 : 0) : score;
    }));
    if (best < 0) return -1;
    total += best;
  }
  return total;
}

/** Pinned first, then recently used, then by name: the order with no search text. */
export function defaultOrder(a: ProfileRow, b: ProfileRow): number {
  return (
    Number(b.pinned) - Number(a.pinned) ||
    (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0) ||
    a.name.localeCompare(b.name)
  );
}

export function filterProfiles(rows: ProfileRow[], haystacks: Map<string, string[]>, query: string): ProfileRow[] {
  if (!query.trim()) return [...rows].sort(defaultOrder);
  const scored: Array<[ProfileRow, number]> = [];
  for (const r of rows) {
    const s = matchProfile(query, haystacks.get(r.name) ?? searchTextOf(r));
    if (s >= 0) scored.push([r, s]);
  }
  return scored.sort((a, b) => b[1] - a[1] || defaultOrder(a[0], b[0])).map(([r]) => r);
}
