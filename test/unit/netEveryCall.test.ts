import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

/**
 * Every network call ends, including the ones written later: each AWS SDK client is built from
 * awsClientOptions (timeouts, bounded retries, proxies), and no code outside electron/core/net makes
 * a request of its own (fetch, http.request, https.get…); boundedHttpRequest is the way to make one.
 */
const REPO = path.resolve(__dirname, '..', '..', '..');
const NET = path.join('electron', 'core', 'net');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** The source without comments, so that a doc comment showing a call is not taken for one. */
function code(file: string): string {
  return fs
    .readFileSync(path.join(REPO, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('the network policy covers every call', () => {
  const files = [...sources('electron'), ...sources('renderer')];

  it('builds every AWS SDK client from awsClientOptions', () => {
    const offenders = files.filter((f) => {
      const text = code(f);
      return /@aws-sdk\/client-/.test(text) && /new\s+(?:\w+\.)*\w+Client\s*\(/.test(text) && !/\.clientOptions\b/.test(text);
    });
    assert.deepEqual(offenders, [], 'these files build an SDK client without the network policy');
  });

  it('makes plain requests only through electron/core/net', () => {
    const request = /\bfetch\s*\(|\bhttps?\.(?:request|get)\s*\(|\bnew\s+WebSocket\s*\(|\bundici\b/;
    const offenders = files.filter((f) => !f.startsWith(NET) && request.test(code(f)));
    assert.deepEqual(offenders, [], 'these files make a request of their own; use boundedHttpRequest');
  });

  it('finds the calls it is meant to find', () => {
    // The check itself must see the two SDK gateways and the policy's own request.
    assert.ok(files.some((f) => f.endsWith('stsGateway.ts') && /\.clientOptions\b/.test(code(f))));
    assert.ok(/\bhttps?\.request\b/.test(code(path.join(NET, 'boundedHttpRequest.ts'))));
  });
});
