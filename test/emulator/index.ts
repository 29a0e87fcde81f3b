import type { AddressInfo } from 'node:net';
import { verifySigninToken as verifyToken } from './federation';
import { createHttpServer } from './server';
import { CallRecord, createClock, EmulatorState, Fault, RoleSpec, SessionSelector } from './state';
import { totp } from './totp';

/**
 * A strict local emulator of AWS STS, IAM and the sign-in federation endpoint, for Keytray's
 * integration tests. Real clients (AWS SDK for JavaScript v3, AWS CLI v2, boto3) talk to it with
 * `endpoint`/`--endpoint-url` set to `url`; it verifies their SigV4 signatures, session tokens,
 * expiry, MFA codes (with reuse detection), trust policies, external IDs and duration limits the
 * way AWS does, so a test that passes here exercises the real failure modes.
 *
 * See README.md in this folder for the behaviour in detail and the known deviations.
 */

export { totp } from './totp';
export { signRequest } from './sigv4';
export type { Fault, CallRecord, RoleSpec, SessionSelector } from './state';

export interface EmulatorUser {
  userName: string;
  arn: string;
  account: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface MfaDevice {
  serial: string;
  secretBase32: string;
  /** RFC 6238 TOTP at the emulator clock (default now). */
  code(atMs?: number): string;
  /** A code STS would accept now and that has not been used yet (current step first, then next, then previous). */
  unusedCode(): string;
}

export interface Emulator {
  /** http://127.0.0.1:PORT — STS and IAM both; the SigV4 scope's service tells them apart. */
  url: string;
  /** url + '/federation' */
  signinUrl: string;
  /** The credential clock (expiry, TOTP). Starts at wall time and keeps ticking with it. */
  clock: { now(): number; advance(ms: number): void };
  createUser(userName: string, opts?: { account?: string }): EmulatorUser;
  createAccessKey(userName: string): { accessKeyId: string; secretAccessKey: string };
  accessKeysOf(userName: string): string[];
  enableMfa(userName: string): MfaDevice;
  createRole(spec: RoleSpec): { arn: string };
  inject(fault: Fault): void;
  clearFaults(): void;
  /**
   * Ends live sessions early: 'expire' (STS then answers ExpiredToken, as after a clock change) or
   * 'revoke' (InvalidClientTokenId). Select a user's GetSessionToken sessions or a role's sessions.
   * With `future`, sessions issued for them later are born ended too.
   */
  endSessions(selector: SessionSelector, how: 'expire' | 'revoke', options?: { future?: boolean }): number;
  /** Every answered request, in the order the answers were sent. */
  calls: CallRecord[];
  count(action: string, ok?: boolean): number;
  resetCalls(): void;
  verifySigninToken(token: string): { arn: string } | null;
  /** Every secret it ever issued (long-term secrets, session secrets and tokens): tests look for them on disk. */
  issuedSecrets(): string[];
  close(): Promise<void>;
}

export async function startEmulator(opts: { port?: number; defaultAccount?: string } = {}): Promise<Emulator> {
  const state = new EmulatorState(createClock(), opts.defaultAccount ?? '111111111111');
  const server = createHttpServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    signinUrl: `${url}/federation`,
    clock: state.clock,
    createUser(userName, userOpts) {
      const user = state.createUser(userName, userOpts?.account);
      const key = state.createAccessKey(userName);
      return { userName, arn: user.arn, account: user.account, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    },
    createAccessKey(userName) {
      const key = state.createAccessKey(userName);
      return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    },
    accessKeysOf(userName) {
      return state
        .keysOf(userName)
        .filter((k) => k.status === 'Active')
        .map((k) => k.accessKeyId);
    },
    enableMfa(userName) {
      const mfa = state.enableMfa(userName);
      return {
        serial: mfa.serial,
        secretBase32: mfa.secretBase32,
        code: (atMs?: number) => totp(mfa.secret, atMs ?? state.clock.now()),
        unusedCode: () => {
          const code = state.unusedCode(mfa.serial);
          if (code === undefined) throw new Error(`every code in the acceptance window of ${mfa.serial} has been used; advance the clock`);
          return code;
        },
      };
    },
    createRole(spec) {
      return { arn: state.createRole(spec).arn };
    },
    inject: (fault) => state.inject(fault),
    endSessions: (selector, how, options) => state.endSessions(selector, how, options),
    clearFaults() {
      state.faults = [];
      state.sessionEndings.length = 0;
    },
    calls: state.calls,
    count: (action, ok) => state.calls.filter((c) => c.action === action && (ok === undefined || c.ok === ok)).length,
    resetCalls() {
      // Emptied in place so that references to `calls` stay live.
      state.calls.length = 0;
    },
    verifySigninToken: (token) => verifyToken(state, token),
    issuedSecrets: () => [
      ...[...state.accessKeys.values()].map((k) => k.secretAccessKey),
      ...[...state.sessions.values()].flatMap((s) => [s.secretAccessKey, s.sessionToken]),
    ],
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // SDK clients keep connections alive; without this close() would wait for them to idle out.
        server.closeAllConnections();
      });
    },
  };
}
