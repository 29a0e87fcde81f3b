import { EmulatorState, Fault } from './state';
import { totp } from './totp';

/**
 * HTTP control endpoints for tests whose actors live in other processes (an `mfa_process` script
 * fetching a code, a CLI test injecting a fault). Loopback only; never part of the AWS surface.
 *
 *   GET  /__emulator/totp?serial=ARN[&unused=1]  current code as text (unused=1: one STS would still accept)
 *   GET  /__emulator/calls                       JSON array of CallRecord
 *   GET  /__emulator/now                         emulator clock, ms since the epoch
 *   POST /__emulator/fault                       JSON Fault body
 *   POST /__emulator/clear-faults
 *   POST /__emulator/reset-calls
 *   POST /__emulator/advance?ms=N                move the emulator clock forward
 *   POST /__emulator/end-sessions?how=expire|revoke&user=NAME|role=ARN
 *                                                end sessions early (ExpiredToken / InvalidClientTokenId)
 */
export interface ControlResponse {
  status: number;
  contentType: string;
  body: string;
}

const text = (status: number, body: string): ControlResponse => ({ status, contentType: 'text/plain; charset=utf-8', body });
const json = (value: unknown): ControlResponse => ({ status: 200, contentType: 'application/json', body: JSON.stringify(value) });

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export function handleControl(state: EmulatorState, method: string, path: string, query: URLSearchParams, body: string): ControlResponse {
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /__emulator/totp': {
      const serial = query.get('serial') ?? '';
      const mfa = state.mfaBySerial.get(serial);
      if (!mfa) return text(404, `unknown MFA serial ${serial}`);
      if (query.get('unused') === '1') {
        const code = state.unusedCode(serial);
        return code === undefined ? text(409, 'every code in the acceptance window has been used; wait for the next step') : text(200, code);
      }
      return text(200, totp(mfa.secret, state.clock.now()));
    }
    case 'GET /__emulator/calls':
      return json(state.calls);
    case 'GET /__emulator/now':
      return text(200, String(state.clock.now()));
    case 'POST /__emulator/fault': {
      let fault: Fault;
      try {
        fault = JSON.parse(body) as Fault;
        state.inject(fault);
      } catch (e) {
        return text(400, `bad fault: ${(e as Error).message}`);
      }
      return text(204, '');
    }
    case 'POST /__emulator/clear-faults':
      state.faults = [];
      state.sessionEndings.length = 0;
      return text(204, '');
    case 'POST /__emulator/reset-calls':
      state.calls.length = 0;
      return text(204, '');
    case 'POST /__emulator/advance': {
      const ms = Number(query.get('ms'));
      if (!Number.isFinite(ms) || ms < 0) return text(400, 'ms must be a non-negative number');
      state.clock.advance(ms);
      return text(200, String(state.clock.now()));
    }
    case 'POST /__emulator/end-sessions': {
      const how = query.get('how');
      if (how !== 'expire' && how !== 'revoke') return text(400, 'how must be expire or revoke');
      try {
        const ended = state.endSessions({ userName: query.get('user') ?? undefined, roleArn: query.get('role') ?? undefined }, how);
        return text(200, String(ended));
      } catch (e) {
        return text(400, (e as Error).message);
      }
    }
    default:
      return text(404, `no control endpoint ${route}`);
  }
}
