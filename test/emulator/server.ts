import * as http from 'node:http';
import { authenticate, SERVED_SERVICES } from './auth';
import { handleControl, isLoopback } from './control';
import { AwsError, errors } from './errors';
import { handleFederation } from './federation';
import { handleSso, isSsoRoute } from './ssoRoutes';
import { IAM_ACTIONS } from './iam';
import { parseAuth, WireRequest } from './sigv4';
import { CallRecord, EmulatorState, ids, Principal } from './state';
import { ActionHandler, STS_ACTIONS } from './sts';
import { errorXml, IAM_NS, STS_NS, successXml } from './xml';

/**
 * HTTP glue. One port serves STS and IAM (told apart by the SigV4 scope's service, as the real
 * endpoints are told apart by host name), the sign-in federation endpoint at /federation, and the
 * loopback-only control API at /__emulator/.
 *
 * Order of checks for an awsQuery request: signature and credentials first (so a badly signed
 * request never consumes an injected fault), then Action/Version, then injected faults, then the
 * action itself. Each answered request is appended to `state.calls` when its answer is sent.
 */

const MAX_BODY_BYTES = 1024 * 1024;

interface ServiceInfo {
  ns: string;
  version: string;
  actions: Record<string, ActionHandler>;
}

const SERVICES: Record<(typeof SERVED_SERVICES)[number], ServiceInfo> = {
  sts: { ns: STS_NS, version: '2011-06-15', actions: STS_ACTIONS },
  iam: { ns: IAM_NS, version: '2010-05-08', actions: IAM_ACTIONS },
};

export function createHttpServer(state: EmulatorState): http.Server {
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch((err) => {
      // A bug in the emulator must be loud, not a hung request.
      console.error('emulator: unhandled error', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('emulator internal error');
    });
  });
  return server;
}

async function handle(state: EmulatorState, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === null) {
    res.writeHead(413, { 'content-type': 'text/plain' }).end('request body too large');
    return;
  }
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  const method = req.method ?? 'GET';

  if (path.startsWith('/__emulator/')) {
    if (!isLoopback(req.socket.remoteAddress)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('control endpoints are loopback-only');
      return;
    }
    const out = handleControl(state, method, path, new URLSearchParams(query), body.toString('utf8'));
    res.writeHead(out.status, { 'content-type': out.contentType }).end(out.body);
    return;
  }

  if (isSsoRoute(method, path)) {
    const at = state.clock.now();
    const out = await handleSso(state, { method, path, query: new URLSearchParams(query), headers: headerMap(req), body: body.toString('utf8'), baseUrl: `http://${req.headers.host}` });
    const errorCode = 'errorCode' in out ? out.errorCode : undefined;
    record(state, { action: out.action, ok: out.status < 400, status: out.status, at, service: out.service, errorCode, reason: out.reason });
    res.writeHead(out.status, out.headers).end(out.body);
    return;
  }

  if (path === '/federation') {
    const at = state.clock.now();
    const params = new URLSearchParams(query);
    if (method === 'POST' && isForm(req)) for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
    const out = handleFederation(state, params);
    record(state, { action: out.action, ok: out.status < 400, status: out.status, at, service: 'signin', principalArn: out.principalArn, reason: out.reason, errorCode: out.status >= 400 ? 'BadRequest' : undefined });
    res.writeHead(out.status, out.headers).end(out.body);
    return;
  }

  await handleAwsQuery(state, req, res, { method, path, query, headers: headerMap(req), body });
}

async function handleAwsQuery(state: EmulatorState, req: http.IncomingMessage, res: http.ServerResponse, wire: WireRequest): Promise<void> {
  const requestId = ids.requestId();
  const at = state.clock.now();
  const params = new URLSearchParams(wire.query);
  if (wire.method === 'POST' && isForm(req)) for (const [k, v] of new URLSearchParams(wire.body.toString('utf8'))) params.append(k, v);
  const action = params.get('Action') ?? '';
  const version = params.get('Version');
  // Until the signature names a service, answer in the namespace the Version suggests.
  let ns = version === SERVICES.iam.version ? IAM_NS : STS_NS;
  let service: string | undefined;
  let principal: Principal | undefined;

  try {
    if (wire.method !== 'GET' && wire.method !== 'POST') throw new AwsError(405, 'MethodNotAllowed', `Method ${wire.method} is not allowed`);
    const auth = parseAuth(wire);
    if (Object.prototype.hasOwnProperty.call(SERVICES, auth.service)) ns = SERVICES[auth.service as keyof typeof SERVICES].ns;
    principal = authenticate(state, wire, auth, Date.now());
    service = auth.service;
    const info = SERVICES[auth.service as keyof typeof SERVICES];
    if (!action) throw errors.missingAction();
    const handler = Object.prototype.hasOwnProperty.call(info.actions, action) ? info.actions[action] : undefined;
    if (!handler || version !== info.version) {
      throw errors.invalidAction(`Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`);
    }

    const faults = state.takeFaults(action);
    if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
    if (faults.error) throw faults.error;

    const result = handler({ state, principal, params });
    send(res, 200, requestId, successXml(ns, action, result, requestId));
    record(state, { action, ok: true, status: 200, at, service, principalArn: principal.arn });
  } catch (err) {
    const awsErr = err instanceof AwsError ? err : internalError(err);
    send(res, awsErr.status, requestId, errorXml(ns, awsErr, requestId));
    record(state, {
      action,
      ok: false,
      status: awsErr.status,
      errorCode: awsErr.code,
      reason: awsErr.reason,
      mfaCodeReused: awsErr.reason === 'mfa-code-reused' ? true : undefined,
      at,
      service,
      principalArn: principal?.arn,
    });
  }
}

function internalError(err: unknown): AwsError {
  console.error('emulator: handler failed', err);
  return new AwsError(500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 'emulator-bug');
}

function send(res: http.ServerResponse, status: number, requestId: string, xml: string): void {
  // Node adds the Date header (wall time). SDKs use it to correct clock skew, so it must stay wall
  // time even when tests move the emulator clock.
  res.writeHead(status, {
    'x-amzn-RequestId': requestId,
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
  });
  res.end(xml);
}

function record(state: EmulatorState, rec: CallRecord): void {
  // Drop undefined fields so JSON and deepEqual comparisons stay tidy.
  state.calls.push(Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== undefined)) as unknown as CallRecord);
}

function isForm(req: http.IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** Header values as sent, repeated headers kept apart (req.headers would merge or drop them). */
function headerMap(req: http.IncomingMessage): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const list = map.get(name);
    if (list) list.push(req.rawHeaders[i + 1]);
    else map.set(name, [req.rawHeaders[i + 1]]);
  }
  return map;
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
