import { stopAgent } from '../agentClient';
import { startHeadlessAgent } from '../../agent/agentVault';
import { KeytrayError } from '../../core/errors';
import { cliPaths } from '../cliContext';

/** `keytray agent`: the app's agent without the app, in the foreground, for SSH sessions and servers. */
export async function agentCommand(options: { stop?: boolean }): Promise<void> {
  const { dataDir } = cliPaths();
  if (options.stop) {
    const pid = await stopAgent(dataDir);
    if (pid === null) throw new KeytrayError('agent', 'No Keytray agent is running');
    process.stdout.write(`Stopped the Keytray agent (pid ${pid}).\n`);
    return;
  }
  let stopping = false;
  const agent = await startHeadlessAgent({
    onStopRequested: () => void stop(),
    onActivity: (a) => {
      if (process.stderr.isTTY) {
        const who = a.requester.command ? ` for ${a.requester.command.slice(0, 80)}` : '';
        process.stderr.write(`${new Date(a.at).toISOString()} ${a.outcome} ${a.profile}${who}${a.error ? `: ${a.error}` : ''}\n`);
      }
    },
  });
  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    await agent.close();
    process.exit(0);
  }
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => void stop());
  process.stdout.write(`Keytray agent listening on ${agent.socketPath} (pid ${process.pid}). Stop it with \`keytray agent --stop\`.\n`);
  await new Promise(() => undefined);
}
