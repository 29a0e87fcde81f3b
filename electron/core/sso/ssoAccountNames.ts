import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from '../replaceFile';
import type { AccountInfo } from './ssoGateway';

/**
 * The names of the AWS accounts IAM Identity Center listed for this user (ListAccounts), kept in
 * Keytray's data directory so the window and the tray can group SSO profiles by "dev" and "prod"
 * rather than by twelve digits, without asking AWS at every start. Names and account IDs only:
 * nothing here is a secret. Written by `keytray sso populate` and by the app after a sign-in.
 */
export class SsoAccountNames {
  constructor(private readonly dataDir: string) {}

  private get file(): string {
    return path.join(this.dataDir, 'sso-accounts.json');
  }

  /** Account ID -> name; empty when nothing was learnt yet or the file was broken by hand. */
  read(): Map<string, string> {
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { accounts?: Record<string, unknown> };
      const names = new Map<string, string>();
      for (const [id, name] of Object.entries(raw.accounts ?? {})) if (/^\d{12}$/.test(id) && typeof name === 'string' && name) names.set(id, name);
      return names;
    } catch {
      return new Map();
    }
  }

  /** Adds or renames the accounts given; accounts seen before through another session stay. */
  remember(accounts: AccountInfo[]): void {
    if (accounts.length === 0) return;
    const names = this.read();
    let changed = false;
    for (const a of accounts) {
      if (!/^\d{12}$/.test(a.accountId) || !a.accountName || names.get(a.accountId) === a.accountName) continue;
      names.set(a.accountId, a.accountName);
      changed = true;
    }
    if (!changed) return;
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    replaceFile(this.file, `${JSON.stringify({ accounts: Object.fromEntries([...names].sort(([a], [b]) => a.localeCompare(b))) })}\n`);
  }
}
