import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { agentSocketPath } from '../../electron/agent/agentProtocol';

describe("where the agent listens", () => {
  test('on Unix, a socket in the private agent directory, whatever the token', () => {
    assert.equal(agentSocketPath('/home/ana/.local/state/keytray', 'a'.repeat(64), 'linux'), path.join('/home/ana/.local/state/keytray', 'agent', 'agent.sock'));
    assert.equal(agentSocketPath('/Users/ana/Keytray', '', 'darwin'), path.join('/Users/ana/Keytray', 'agent', 'agent.sock'));
  });

  test('on Windows, a pipe named after the token: client and agent agree, and another user cannot guess or squat it', () => {
    const token = '0f'.repeat(32);
    const pipe = agentSocketPath('C:\\Users\\ana\\AppData\\Roaming\\Keytray', token, 'win32');
    assert.match(pipe, /^\\\\\.\\pipe\\keytray-agent-[A-Za-z0-9_-]{43}$/);
    assert.equal(agentSocketPath('C:\\elsewhere', token, 'win32'), pipe, 'the token alone names it');
    assert.notEqual(agentSocketPath('C:\\Users\\ana\\AppData\\Roaming\\Keytray', '1e'.repeat(32), 'win32'), pipe, 'a new agent, a new name');
    assert.ok(!pipe.includes(token.slice(0, 8)), 'the name, which every user can list, does not reveal the token');
  });
});
