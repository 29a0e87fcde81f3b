export async function agentCommand(_options: { stop?: boolean }): Promise<void> {
  const { KeytrayError } = await import('../../core/errors');
  throw new KeytrayError('usage', 'The agent is not available in this build');
}
