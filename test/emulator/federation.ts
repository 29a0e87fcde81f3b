import { sameString } from './auth';
import { EmulatorState, ids, SessionRec } from './state';

/**
 * The AWS sign-in federation endpoint (https://signin.aws.amazon.com/federation) used by custom
 * identity brokers: `getSigninToken` swaps temporary credentials for a sign-in token, and `login`
 * redirects a browser into the console with it.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html
 */
export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** For the call log. */
  action: string;
  principalArn?: string;
  reason?: string;
}

/** A sign-in token must be used within 15 minutes of issue. */
const SIGNIN_TOKEN_TTL_MS = 15 * 60 * 1000;
/** Console sessions last 15 minutes to 12 hours; role chaining caps them at 1 hour. */
const MIN_CONSOLE_SECONDS = 900;
const MAX_CONSOLE_SECONDS = 43200;
const CHAINED_MAX_CONSOLE_SECONDS = 3600;

function fail(action: string, status: number, message: string, reason: string, principalArn?: string): PlainResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: message, action, reason, principalArn };
}

export function handleFederation(state: EmulatorState, params: URLSearchParams): PlainResponse {
  const action = params.get('Action') ?? '';
  if (action === 'getSigninToken') return getSigninToken(state, params);
  if (action === 'login') return login(state, params);
  return fail(action || 'federation', 400, 'Unsupported or missing Action parameter', 'bad-action');
}

function arnOf(session: SessionRec): string {
  return session.kind === 'assumed-role'
    ? `arn:aws:sts::${session.account}:assumed-role/${session.role!.name}/${session.roleSessionName}`
    : session.kind === 'federated-user'
      ? `arn:aws:sts::${session.account}:federated-user/${session.federatedName}`
      : `arn:aws:iam::${session.account}:user/${session.userName}`;
}

function getSigninToken(state: EmulatorState, params: URLSearchParams): PlainResponse {
  const action = 'getSigninToken';
  const raw = params.get('Session');
  if (raw === null) return fail(action, 400, 'Missing Session parameter', 'no-session');
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return fail(action, 400, 'Session parameter is not valid JSON', 'session-not-json');
  }
  const { sessionId, sessionKey, sessionToken } = (doc ?? {}) as Record<string, unknown>;
  if (typeof sessionId !== 'string' || typeof sessionKey !== 'string' || typeof sessionToken !== 'string') {
    return fail(action, 400, 'Session must contain sessionId, sessionKey and sessionToken', 'session-fields');
  }
  const session = state.sessions.get(sessionId);
  if (!session || !sameString(session.secretAccessKey, sessionKey) || !sameString(session.sessionToken, sessionToken)) {
    return fail(action, 400, 'The security token included in the request is invalid', 'bad-credentials');
  }
  const arn = arnOf(session);
  if (state.clock.now() >= session.expiresAt) return fail(action, 400, 'The security token included in the request is expired', 'expired', arn);
  // Only role and federated-user sessions can open the console; GetSessionToken sessions cannot.
  if (session.kind === 'session-token') {
    return fail(action, 400, 'GetSessionToken credentials cannot be used to sign in to the console', 'session-token-credentials', arn);
  }

  const requested = params.get('SessionDuration');
  let consoleSeconds = session.kind === 'assumed-role' ? 3600 : Math.floor((session.expiresAt - state.clock.now()) / 1000);
  if (requested !== null) {
    // SessionDuration applies to AssumeRole credentials only; with GetFederationToken credentials
    // the console session follows the credentials' own lifetime and the request fails.
    if (session.kind === 'federated-user') {
      return fail(action, 400, 'SessionDuration is not supported for GetFederationToken credentials', 'session-duration-federated', arn);
    }
    const n = Number(requested);
    if (!/^\d+$/.test(requested) || n < MIN_CONSOLE_SECONDS || n > MAX_CONSOLE_SECONDS) {
      return fail(action, 400, `SessionDuration must be between ${MIN_CONSOLE_SECONDS} and ${MAX_CONSOLE_SECONDS}`, 'session-duration-range', arn);
    }
    if (session.chained && n > CHAINED_MAX_CONSOLE_SECONDS) {
      return fail(action, 400, 'SessionDuration cannot exceed 1 hour for credentials from role chaining', 'session-duration-chained', arn);
    }
    consoleSeconds = n;
  }

  const token = ids.signinToken();
  state.signinTokens.set(token, { arn, expiresAt: state.clock.now() + SIGNIN_TOKEN_TTL_MS, consoleSessionSeconds: consoleSeconds });
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ SigninToken: token }),
    action,
    principalArn: arn,
  };
}

function login(state: EmulatorState, params: URLSearchParams): PlainResponse {
  const action = 'login';
  const token = params.get('SigninToken');
  const destination = params.get('Destination');
  const identity = token === null ? null : verifySigninToken(state, token);
  if (!identity) return fail(action, 400, 'Invalid or expired SigninToken', 'bad-signin-token');
  if (destination === null || !/^https?:\/\/[^\s/]+/i.test(destination)) {
    return fail(action, 400, 'Destination must be an absolute http(s) URL', 'bad-destination', identity.arn);
  }
  return { status: 302, headers: { location: destination }, body: '', action, principalArn: identity.arn };
}

export function verifySigninToken(state: EmulatorState, token: string): { arn: string } | null {
  const rec = state.signinTokens.get(token);
  if (!rec || state.clock.now() >= rec.expiresAt) return null;
  return { arn: rec.arn };
}
