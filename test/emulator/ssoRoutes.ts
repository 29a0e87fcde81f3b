import type { EmulatorState } from './state';
import { authorizePage, createToken, decideDevice, devicePage, jsonError, registerClient, SsoApiError, startDeviceAuthorization, type JsonResponse, type PageResponse } from './ssoOidc';
import { getRoleCredentials, listAccountRoles, listAccounts, logout, portalUserOf } from './ssoPortal';
import type { BrowserDecision, SsoSettings } from './ssoState';

/**
 * Routing for the IAM Identity Center side of the emulator, on the same port as STS: the OIDC
 * service, the portal API and the browser pages are told apart by path (their real hosts differ).
 * Faults injected with an `action` of one of these operations apply here after the caller was
 * authenticated, as for STS.
 */

type Route = { service: 'sso-oidc' | 'sso' | 'sso-browser'; action: string };

const ROUTES: Record<string, Route> = {
  'POST /client/register': { service: 'sso-oidc', action: 'RegisterClient' },
  'POST /device_authorization': { service: 'sso-oidc', action: 'StartDeviceAuthorization' },
  'POST /token': { service: 'sso-oidc', action: 'CreateToken' },
  'GET /authorize': { service: 'sso-browser', action: 'Authorize' },
  'GET /device': { service: 'sso-browser', action: 'DeviceVerification' },
  'GET /federation/credentials': { service: 'sso', action: 'GetRoleCredentials' },
  'GET /assignment/accounts': { service: 'sso', action: 'ListAccounts' },
  'GET /assignment/roles': { service: 'sso', action: 'ListAccountRoles' },
  'POST /logout': { service: 'sso', action: 'Logout' },
};

export function isSsoRoute(method: string, path: string): boolean {
  return Object.prototype.hasOwnProperty.call(ROUTES, `${method} ${path}`);
}

export interface SsoRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Map<string, string[]>;
  body: string;
  baseUrl: string;
}

export async function handleSso(state: EmulatorState, req: SsoRequest): Promise<(JsonResponse | PageResponse) & { service: string }> {
  const route = ROUTES[`${req.method} ${req.path}`];
  const sso = state.sso;
  if (route.service === 'sso-browser') {
    const out = route.action === 'Authorize' ? authorizePage(sso, req.query) : devicePage(sso, req.query);
    return { ...out, service: route.service };
  }
  try {
    // The portal authenticates first, so a call with a bad token never consumes a fault.
    const user = route.service === 'sso' ? portalUserOf(sso, req.headers) : undefined;
    const faults = state.takeFaults(route.action);
    if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
    if (faults.error) {
      throw faults.error.status >= 500
        ? new SsoApiError(faults.error.status, route.service === 'sso-oidc' ? 'InternalServerException' : 'InternalServerException', 'An internal error occurred', route.service === 'sso-oidc' ? 'server_error' : undefined, 'injected')
        : new SsoApiError(429, 'TooManyRequestsException', 'Rate exceeded', route.service === 'sso-oidc' ? 'slow_down' : undefined, 'injected');
    }
    const out = dispatch(state, route.action, req, user);
    return { ...out, service: route.service };
  } catch (err) {
    if (!(err instanceof SsoApiError)) throw err;
    return { ...jsonError(route.action, err), service: route.service };
  }
}

function dispatch(state: EmulatorState, action: string, req: SsoRequest, user: string | undefined): JsonResponse {
  const sso = state.sso;
  switch (action) {
    case 'RegisterClient':
      return registerClient(sso, req.body);
    case 'StartDeviceAuthorization':
      return startDeviceAuthorization(sso, req.body, req.baseUrl);
    case 'CreateToken':
      return createToken(sso, req.body);
    case 'GetRoleCredentials':
      return getRoleCredentials(state, sso, user!, req.query);
    case 'ListAccounts':
      return listAccounts(sso, user!, req.query);
    case 'ListAccountRoles':
      return listAccountRoles(sso, user!, req.query);
    case 'Logout':
      return logout(sso, req.headers);
    default:
      throw new Error(`no SSO handler for ${action}`);
  }
}

/**
 * Control endpoints for the person at the browser and the identity administrator:
 *
 *   GET  /__emulator/sso/pages                              {"authorize":N,"device":N}: sign-in pages opened
 *   POST /__emulator/sso/browser?decision=approve|deny|ignore[&user=U]   what the person does next
 *   POST /__emulator/sso/device?user_code=C&decision=approve|deny[&user=U]  act on a device code
 *   POST /__emulator/sso/expire?what=access|refresh|client|device        make those expire now
 *   POST /__emulator/sso/revoke-refresh-tokens
 *   POST /__emulator/sso/settings                           JSON: part of SsoSettings
 *   POST /__emulator/sso/unassign?user=U&account_id=A&role_name=R
 */
export function handleSsoControl(state: EmulatorState, method: string, path: string, query: URLSearchParams, body: string): { status: number; body: string } | undefined {
  const sso = state.sso;
  const decisionOf = (v: string | null): BrowserDecision | undefined => (v === 'approve' || v === 'deny' || v === 'ignore' ? v : undefined);
  switch (`${method} ${path}`) {
    case 'GET /__emulator/sso/pages':
      return { status: 200, body: JSON.stringify(sso.pagesOpened) };
    case 'POST /__emulator/sso/browser': {
      const decision = decisionOf(query.get('decision'));
      if (!decision) return { status: 400, body: 'decision must be approve, deny or ignore' };
      sso.browser = { decision, user: query.get('user') ?? sso.browser.user };
      return { status: 204, body: '' };
    }
    case 'POST /__emulator/sso/device': {
      const decision = decisionOf(query.get('decision'));
      if (!decision) return { status: 400, body: 'decision must be approve, deny or ignore' };
      const out = decideDevice(sso, query.get('user_code') ?? '', decision, query.get('user') ?? sso.browser.user);
      return { status: out.status === 200 ? 204 : out.status, body: out.reason ?? '' };
    }
    case 'POST /__emulator/sso/expire': {
      const what = query.get('what');
      if (what !== 'access' && what !== 'refresh' && what !== 'client' && what !== 'device') return { status: 400, body: 'what must be access, refresh, client or device' };
      sso.expire(what);
      return { status: 204, body: '' };
    }
    case 'POST /__emulator/sso/revoke-refresh-tokens':
      sso.revokeRefreshTokens();
      return { status: 204, body: '' };
    case 'POST /__emulator/sso/settings': {
      try {
        const changes = JSON.parse(body) as Partial<SsoSettings>;
        for (const [k, v] of Object.entries(changes)) {
          if (!(k in sso.settings) || typeof v !== 'number' || !(v >= 0)) return { status: 400, body: `bad setting ${k}` };
        }
        sso.settings = { ...sso.settings, ...changes };
      } catch (e) {
        return { status: 400, body: `bad settings: ${(e as Error).message}` };
      }
      return { status: 204, body: '' };
    }
    case 'POST /__emulator/sso/unassign': {
      try {
        sso.unassign(query.get('user') ?? '', query.get('account_id') ?? '', query.get('role_name') ?? '');
      } catch (e) {
        return { status: 404, body: (e as Error).message };
      }
      return { status: 204, body: '' };
    }
    default:
      return undefined;
  }
}
