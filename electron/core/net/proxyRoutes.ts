import { isIPv4 } from 'node:net';

/**
 * Which proxy, if any, a request to a URL goes through: HTTP_PROXY for http URLs, HTTPS_PROXY for
 * https URLs, NO_PROXY to go around them, each also in lowercase (which wins, as for curl and for
 * Python's urllib, whose environment handling the AWS CLI uses). Only the choice is made here; the
 * connection itself is the `proxy-agent` package's.
 */

/** True when any variable that can send an AWS call through a proxy is set. */
export function anyProxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return !!(variable(env, 'https_proxy') || variable(env, 'http_proxy'));
}

/** The proxy URL for a request to `url`, or undefined to connect directly. */
export function proxyFor(url: string | URL, env: NodeJS.ProcessEnv): string | undefined {
  let target: URL;
  try {
    target = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return undefined;
  }
  const scheme = target.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const proxy = variable(env, `${scheme}_proxy`);
  if (!proxy) return undefined;
  const port = Number(target.port) || (scheme === 'https' ? 443 : 80);
  if (bypassesProxy(target.hostname, port, variable(env, 'no_proxy'))) return undefined;
  // botocore reads a proxy given without a scheme ("proxy.corp:3128") as an http proxy.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/**
 * NO_PROXY as the AWS CLI reads it: comma-separated entries; `*` bypasses everything; an IPv4
 * address or CIDR range matches IPv4 hosts; a name matches itself and its subdomains (`corp.example`,
 * `.corp.example` and `*.corp.example` all cover `sts.corp.example`); `host:port` matches that port only.
 */
export function bypassesProxy(hostname: string, port: number, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const { name, entryPort } = splitPort(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (isIPv4(host) && name.includes('/')) {
      if (inCidr(host, name)) return true;
      continue;
    }
    const domain = name.replace(/^\*?\./, '').replace(/\.$/, '');
    if (!domain) continue;
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** A proxy URL fit for a message: scheme, host and port, never the user name or password in it. */
export function describeProxy(proxy: string): string {
  try {
    const u = new URL(proxy);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the configured proxy';
  }
}

function variable(env: NodeJS.ProcessEnv, lower: string): string | undefined {
  return env[lower] || env[lower.toUpperCase()] || undefined;
}

function splitPort(entry: string): { name: string; entryPort?: number } {
  // "[::1]:8080", "host:8080"; a bare IPv6 address has several colons and no port.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1], entryPort: bracketed[2] ? Number(bracketed[2]) : undefined };
  const m = /^([^:]+):(\d+)$/.exec(entry);
  return m ? { name: m[1], entryPort: Number(m[2]) } : { name: entry };
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!isIPv4(base) || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((toInt(ip) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => ((n << 8) | Number(octet)) >>> 0, 0);
}
