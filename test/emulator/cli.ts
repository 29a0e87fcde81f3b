import * as fs from 'node:fs';
import { Emulator, RoleSpec, startEmulator } from './index';

/**
 * Runs the emulator as its own process for out-of-process tests:
 *
 *   node dist/test/emulator/cli.js [--port N] [--account 123456789012] [--seed seed.json]
 *
 * seed.json: {"users":[{"name":"alice","mfa":true,"account":"222222222222"}],"roles":[RoleSpec, …],
 *   "ssoUsers":[{"name":"dana","assignments":[{"accountId":"…","accountName":"dev","roleName":"Admin"}]}]}
 * Prints one JSON line on stdout — {url, signinUrl, controlUrl, users:[{userName, arn, account,
 * accessKeyId, secretAccessKey, mfa?:{serial, secretBase32}}], roles:[{name, arn}]} — and runs
 * until SIGTERM or SIGINT. Control endpoints: see control.ts.
 */
interface Seed {
  users?: Array<{ name: string; mfa?: boolean; account?: string }>;
  roles?: RoleSpec[];
  /** IAM Identity Center users and their assignments. */
  ssoUsers?: Array<{ name: string; assignments?: Array<{ accountId: string; accountName?: string; roleName: string }> }>;
}

function parseArgs(argv: string[]): { port?: number; seed?: string; account?: string } {
  const out: { port?: number; seed?: string; account?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--port' && value !== undefined) {
      out.port = Number(value);
      i++;
    } else if (arg === '--seed' && value !== undefined) {
      out.seed = value;
      i++;
    } else if (arg === '--account' && value !== undefined) {
      out.account = value;
      i++;
    } else {
      throw new Error(`usage: cli.js [--port N] [--account ACCOUNT] [--seed file.json] (unexpected ${JSON.stringify(arg)})`);
    }
  }
  if (out.port !== undefined && !(Number.isInteger(out.port) && out.port >= 0 && out.port < 65536)) throw new Error('--port must be 0..65535');
  return out;
}

function seedEmulator(emu: Emulator, seed: Seed) {
  const users = (seed.users ?? []).map((u) => {
    const user = emu.createUser(u.name, { account: u.account });
    const mfa = u.mfa ? emu.enableMfa(u.name) : undefined;
    return { ...user, mfa: mfa && { serial: mfa.serial, secretBase32: mfa.secretBase32 } };
  });
  const roles = (seed.roles ?? []).map((r) => ({ name: r.name, arn: emu.createRole(r).arn }));
  for (const u of seed.ssoUsers ?? []) {
    emu.sso.createUser(u.name);
    for (const a of u.assignments ?? []) emu.sso.assign(u.name, a);
  }
  return { users, roles, ssoStartUrl: emu.sso.startUrl };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const seed: Seed = args.seed ? JSON.parse(fs.readFileSync(args.seed, 'utf8')) : {};
  const emu = await startEmulator({ port: args.port, defaultAccount: args.account });
  const seeded = seedEmulator(emu, seed);
  process.stdout.write(JSON.stringify({ url: emu.url, signinUrl: emu.signinUrl, controlUrl: `${emu.url}/__emulator`, ...seeded }) + '\n');
  const stop = () => {
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`emulator: ${(err as Error).message}\n`);
  process.exit(1);
});
