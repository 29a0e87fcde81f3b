import { KeychainGeneration, MemoryCachedBackend, generationFile } from '../core/keychain/keychainGeneration';
import { OsKeychainBackend, keychainServiceFor } from '../core/keychain/secretBackend';
import { resolvePaths } from '../core/paths';
import { createVault, type Vault } from '../core/vault';
import { startAgent, type AgentOptions, type RunningAgent } from './agentServer';

/**
 * The vault as an agent holds it: sessions kept in memory after the first keychain read, so a cache
 * hit is a socket round trip and nothing more. The desktop app builds its vault the same way.
 */
export function createAgentVault(env: NodeJS.ProcessEnv = process.env): { vault: Vault; forget: () => void } {
  const { dataDir } = resolvePaths(env);
  const backend = new MemoryCachedBackend(new OsKeychainBackend(keychainServiceFor(env)), new KeychainGeneration(generationFile(dataDir)));
  return { vault: createVault({ env, backend, reuseUnchangedConfig: true }), forget: () => backend.forget() };
}

export async function startHeadlessAgent(options: Omit<AgentOptions, 'vault'> = {}): Promise<RunningAgent> {
  const { vault } = createAgentVault();
  return startAgent({ ...options, vault });
}
