import type { ProfileRow } from './keytrayApi';

/** A heading of the profile list: the user a chain ends at, or an IAM Identity Center account by name. */
export interface GroupHeading {
  kind: 'group';
  group: string;
  /** For an account named by IAM Identity Center: its ID, shown beside the name. */
  accountId?: string;
  count: number;
}

export type ListItem = GroupHeading | { kind: 'profile'; row: ProfileRow; rowIndex: number };

/**
 * Groups the list as it was ordered (by search score, or pinned and recent first) without losing
 * that order: a group comes where its first member would have come, and its members keep their
 * order inside it, so the best match is still the first row. Each group gets its heading. With
 * `rootFirst` (no search), the user a group is named after leads it, ahead of its roles.
 */
export function groupProfiles(ordered: ProfileRow[], options: { rootFirst?: boolean } = {}): { items: ListItem[]; rows: ProfileRow[]; itemIndexOfRow: number[] } {
  const groups = new Map<string, ProfileRow[]>();
  for (const p of ordered) {
    const members = groups.get(p.group);
    if (members) members.push(p);
    else groups.set(p.group, [p]);
  }
  const items: ListItem[] = [];
  const rows: ProfileRow[] = [];
  const itemIndexOfRow: number[] = [];
  for (const [group, members] of groups) {
    const root = options.rootFirst ? members.findIndex((m) => m.name === group && !m.pinned) : -1;
    // A pinned profile stays where pinning put it; an unpinned root moves up behind the pinned ones.
    if (root > 0) {
      const [lead] = members.splice(root, 1);
      const firstUnpinned = members.findIndex((m) => !m.pinned);
      members.splice(firstUnpinned < 0 ? members.length : firstUnpinned, 0, lead);
    }
    items.push({ kind: 'group', group, accountId: accountIdOf(group, members), count: members.length });
    for (const row of members) {
      itemIndexOfRow.push(items.length);
      items.push({ kind: 'profile', row, rowIndex: rows.length });
      rows.push(row);
    }
  }
  return { items, rows, itemIndexOfRow };
}

/**
 * The account ID to show beside a group named after an IAM Identity Center account. Only an SSO
 * profile's own account counts: a role assumed from it may live in another account.
 */
function accountIdOf(group: string, members: ProfileRow[]): string | undefined {
  const sso = members.find((m) => m.kind === 'sso' && m.account);
  if (!sso || sso.account === group) return undefined;
  return sso.accountName === group ? sso.account : undefined;
}
